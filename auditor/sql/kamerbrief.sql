-- docs/rapportages.md, kamerbrief-bijlage ($peildatum is tot).
WITH a AS (
    SELECT * FROM stand($peildatum, $kennisdatum, $positie)
    WHERE afgehandeld_op BETWEEN CAST($van AS DATE) AND CAST($peildatum AS DATE)
), per AS (
    SELECT bevoegd_gezag, count(*) AS n,
           list(regel(locatie, bevoegd_gezag, naam, gemeentecode, status, afgehandeld_op,
                      risicotypes, knelpunt) ORDER BY locatie) AS locaties
    FROM a GROUP BY ALL
)
SELECT json_object(
    'aantal', (SELECT count(*) FROM a),
    'perBevoegdGezag', (SELECT lijst(list(json_object('bevoegdGezag', bevoegd_gezag, 'aantal', n,
                           'locaties', to_json(locaties)) ORDER BY bevoegd_gezag)) FROM per)
) AS inhoud;
