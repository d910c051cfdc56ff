-- docs/rapportages.md, kamerbrief-bijlage ($peildatum is tot).
WITH st AS (
    SELECT * FROM stand($peildatum, $kennisdatum, $positie)
), a AS (
    SELECT * FROM st WHERE afgehandeld_op BETWEEN CAST($van AS DATE) AND CAST($peildatum AS DATE)
), per AS (
    SELECT bevoegd_gezag, count(*) AS n,
           list(bijlageregel(locatie, bevoegd_gezag, naam, gemeentecode, status, afgehandeld_op,
                             risicotypes, knelpunt) ORDER BY locatie) AS locaties
    FROM a GROUP BY ALL
), h AS (
    SELECT * FROM afspraken($peildatum, $kennisdatum, $positie) WHERE afspraak = 'humaan'
), open AS (
    -- section 7: the humane sites not dealt with by the deadline in force (before it: by tot)
    SELECT * FROM st
    WHERE bevestigd AND humaan
      AND NOT coalesce(afgehandeld_op <= least(CAST($peildatum AS DATE), (SELECT deadline FROM h)),
                       false)
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
    'perBevoegdGezag', (SELECT lijst(list(json_object('bevoegdGezag', per.bevoegd_gezag,
                           'naam', coalesce(g.naam, per.bevoegd_gezag), 'aantal', n,
                           'locaties', to_json(locaties)) ORDER BY per.bevoegd_gezag))
                        FROM per LEFT JOIN gezag g ON g.code = per.bevoegd_gezag),
    'humaanOpen', json_object(
        'deadline', (SELECT strftime(deadline, '%Y-%m-%d') FROM h),
        'besluit', (SELECT besluitjson(besluit_id, besluitdatum, besluit_titel) FROM h),
        'verstreken', CAST($peildatum AS DATE) > (SELECT deadline FROM h),
        'aantal', (SELECT count(*) FROM open),
        'locaties', (SELECT lijst(list(json_object(
                         'locatieId', locatie, 'bevoegdGezag', o.bevoegd_gezag,
                         'bevoegdGezagNaam', coalesce(g.naam, o.bevoegd_gezag), 'naam', o.naam,
                         'gemeentecode', gemeentecode, 'gemeente', coalesce(m.naam, gemeentecode),
                         'status', status, 'afgehandeldOp', strftime(afgehandeld_op, '%Y-%m-%d'),
                         'risicotypes', to_json(risicotypes), 'knelpunt', knelpunt,
                         'afgehandeldGepland', strftime(plan_afgehandeld, '%Y-%m-%d'),
                         'naDeadline', plan_afgehandeld > (SELECT deadline FROM h))
                         ORDER BY o.bevoegd_gezag, locatie))
                     FROM open o LEFT JOIN gezag g ON g.code = o.bevoegd_gezag
                     LEFT JOIN gemeente m ON m.code = o.gemeentecode))
) AS inhoud;
