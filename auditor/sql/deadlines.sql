-- docs/rapportages.md, deadlines.
WITH st AS (SELECT * FROM stand($peildatum, $kennisdatum, $positie)),
humaan_niet_op_tijd AS (
    SELECT * FROM st
    WHERE bevestigd AND humaan AND NOT coalesce(afgehandeld_op <= DATE '2015-12-31', false)
), verlopen AS (
    SELECT *, CASE WHEN humaan THEN DATE '2015-12-31' ELSE DATE '2020-12-31' END AS deadline
    FROM st WHERE bevestigd AND NOT afgehandeld
), later AS (
    SELECT 1 AS i, bevoegd_gezag FROM st WHERE registratiedatum > DATE '2010-12-31'
    UNION ALL
    SELECT 2, bevoegd_gezag FROM st
    WHERE eerste_ecologisch > DATE '2015-12-31' OR eerste_verspreiding > DATE '2015-12-31'
), lijsten AS (
    SELECT * FROM (VALUES (1, 'overzicht spoedlocaties', '2010-12-31'),
        (2, 'overzicht ecologische en verspreidingsrisico''s', '2015-12-31')) t(i, lijst, deadline)
), per_lijst AS (
    SELECT l.i, l.lijst, l.deadline, coalesce(sum(n), 0) AS later,
           kaart(list(struct_pack(k := bevoegd_gezag, v := n) ORDER BY bevoegd_gezag)
                 FILTER (WHERE bevoegd_gezag IS NOT NULL)) AS per_gezag
    FROM lijsten l LEFT JOIN (SELECT i, bevoegd_gezag, count(*) AS n FROM later GROUP BY ALL) c
        ON c.i = l.i
    GROUP BY ALL
), terug AS (
    SELECT bevoegd_gezag, locatie, naam, status, afgehandeld_op AS besluitdatum,
           (afgehandeld_vastgelegd AT TIME ZONE 'UTC')::DATE AS dag,
           CASE WHEN humaan AND afgehandeld_op <= DATE '2015-12-31' THEN '2015-12-31'
                ELSE '2020-12-31' END AS deadline
    FROM st
    WHERE bevestigd AND afgehandeld_op <= DATE '2020-12-31'
      AND (afgehandeld_vastgelegd AT TIME ZONE 'UTC')::DATE - afgehandeld_op > 90
), terug_per_gezag AS (
    SELECT bevoegd_gezag, count(*) AS n,
           list(json_object('bevoegdGezag', bevoegd_gezag, 'locatieId', locatie, 'naam', naam,
                'status', status, 'besluitdatum', strftime(besluitdatum, '%Y-%m-%d'),
                'vastgelegdOp', strftime(dag, '%Y-%m-%d'), 'dagenLaat', dag - besluitdatum,
                'deadline', deadline) ORDER BY locatie) AS locaties
    FROM terug GROUP BY ALL
)
SELECT json_object(
    'humaanNietOpTijd', json_object(
        'deadline', '2015-12-31',
        'verstreken', CAST($peildatum AS DATE) > DATE '2015-12-31',
        'aantal', (SELECT count(*) FROM humaan_niet_op_tijd),
        'locaties', (SELECT lijst(list(regel(locatie, bevoegd_gezag, naam, gemeentecode, status,
                        afgehandeld_op, risicotypes, knelpunt) ORDER BY locatie))
                     FROM humaan_niet_op_tijd)),
    'verlopen', (SELECT json_object('aantal', count(*), 'locaties', lijst(list(
                    json_merge_patch(regel(locatie, bevoegd_gezag, naam, gemeentecode, status,
                        afgehandeld_op, risicotypes, knelpunt),
                        json_object('deadline', strftime(deadline, '%Y-%m-%d')))
                    ORDER BY locatie)))
                 FROM verlopen WHERE CAST($peildatum AS DATE) > deadline),
    'onvolledigeLijsten', (SELECT lijst(list(json_object('lijst', lijst, 'deadline', deadline,
                              'later', later, 'perBevoegdGezag', per_gezag) ORDER BY i))
                           FROM per_lijst),
    'teruggedateerd', json_object(
        'grensDagen', 90,
        'aantal', (SELECT count(*) FROM terug),
        'perBevoegdGezag', (SELECT lijst(list(json_object('bevoegdGezag', bevoegd_gezag,
                               'aantal', n, 'locaties', to_json(locaties)) ORDER BY bevoegd_gezag))
                            FROM terug_per_gezag))
) AS inhoud;
