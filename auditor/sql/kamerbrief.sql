-- docs/rapportages.md, kamerbrief-bijlage ($peildatum is tot).
WITH a AS (
    SELECT * FROM stand($peildatum, $kennisdatum, $positie)
    WHERE afgehandeld_op BETWEEN CAST($van AS DATE) AND CAST($peildatum AS DATE)
), per AS (
    SELECT bevoegd_gezag, count(*) AS n,
           list(regel(locatie, bevoegd_gezag, naam, gemeentecode, status, afgehandeld_op,
                      risicotypes, knelpunt) ORDER BY locatie) AS locaties
    FROM a GROUP BY ALL
), h AS (
    SELECT * FROM afspraken($peildatum, $kennisdatum, $positie) WHERE afspraak = 'humaan'
), open_ AS (
    SELECT * FROM stand((SELECT deadline FROM h), $kennisdatum, $positie)
    WHERE bevestigd AND humaan AND NOT afgehandeld
      AND CAST($peildatum AS DATE) >= (SELECT deadline FROM h)
)
SELECT json_object(
    'humaanOpenOpDeadline', json_object(
        'deadline', (SELECT strftime(deadline, '%Y-%m-%d') FROM h),
        'besluit', (SELECT besluitjson(besluit_id, besluitdatum, besluit_titel) FROM h),
        'bereikt', CAST($peildatum AS DATE) >= (SELECT deadline FROM h),
        'aantal', (SELECT count(*) FROM open_),
        'locaties', (SELECT lijst(list(json_object('bevoegdGezag', bevoegd_gezag,
                        'locatieId', locatie, 'naam', naam, 'gemeentecode', gemeentecode,
                        'status', status, 'knelpunt', knelpunt)
                        ORDER BY bevoegd_gezag, locatie)) FROM open_)),
    'aantal', (SELECT count(*) FROM a),
    'perBevoegdGezag', (SELECT lijst(list(json_object('bevoegdGezag', bevoegd_gezag, 'aantal', n,
                           'locaties', to_json(locaties)) ORDER BY bevoegd_gezag)) FROM per)
) AS inhoud;
