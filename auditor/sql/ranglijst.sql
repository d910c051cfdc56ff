-- docs/rapportages.md, bevoegde-gezagen and provincies ($provincie: true for provincies).
SELECT json_object(
    'landelijk', (SELECT samenvatting(bevestigd, afgehandeld, humaan, knelpunt, budget, kosten)
                  FROM stand($peildatum, $kennisdatum, $positie)),
    'ranglijst', (SELECT lijst(list(ranglijstrij(r) ORDER BY plaats))
                  FROM ranglijst($peildatum, $kennisdatum, $positie, $provincie) r),
    'afspraken', (SELECT to_json(list(afspraakjson(a) ORDER BY i))
                  FROM afspraken($peildatum, $kennisdatum, $positie) a WHERE afspraak = 'humaan')
) AS inhoud;
