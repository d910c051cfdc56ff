-- docs/rapportages.md, midterm-review.
WITH nu AS (SELECT * FROM ranglijst($peildatum, $kennisdatum, $positie, false)),
begin AS (
    SELECT bevoegd_gezag AS code, aantal(bevestigd AND afgehandeld) AS afgehandeld
    FROM stand(CAST($van AS DATE), $kennisdatum, $positie) GROUP BY ALL
)
SELECT json_object(
    -- (a merge patch drops null members of the patch, so the summary is the target)
    'start', json_merge_patch(
        (SELECT samenvatting(bevestigd, afgehandeld, humaan, knelpunt, budget, kosten)
         FROM stand(CAST($van AS DATE), $kennisdatum, $positie)),
        json_object('datum', strftime(CAST($van AS DATE), '%Y-%m-%d'))),
    'peildatum', json_merge_patch(
        (SELECT samenvatting(bevestigd, afgehandeld, humaan, knelpunt, budget, kosten)
         FROM stand($peildatum, $kennisdatum, $positie)),
        json_object('datum', strftime(CAST($peildatum AS DATE), '%Y-%m-%d'))),
    'doelen', (SELECT doelen FROM doelen($peildatum, $kennisdatum, $positie)),
    'ranglijst', (SELECT lijst(list(json_merge_patch(ranglijstrij(nu),
                      json_object('afgehandeldSindsStart', nu.afgehandeld - coalesce(b.afgehandeld, 0)))
                      ORDER BY nu.plaats))
                  FROM nu LEFT JOIN begin b ON b.code = nu.code)
) AS inhoud;
