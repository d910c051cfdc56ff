-- docs/rapportages.md, deadlines.
WITH st AS (SELECT * FROM stand($peildatum, $kennisdatum, $positie)),
a AS (SELECT * FROM afspraken($peildatum, $kennisdatum, $positie)),
h AS (SELECT * FROM a WHERE afspraak = 'humaan'),
al AS (SELECT * FROM a WHERE afspraak = 'alle'),
humaan_niet_op_tijd AS (
    SELECT * FROM st
    WHERE bevestigd AND humaan
      AND NOT coalesce(afgehandeld_op <= (SELECT deadline FROM h), false)
), verlopen AS (
    SELECT st.*, CASE WHEN humaan THEN h.deadline ELSE al.deadline END AS deadline,
           CASE WHEN humaan THEN h.besluit_titel ELSE al.besluit_titel END AS besluit
    FROM st, h, al WHERE bevestigd AND NOT afgehandeld
), later AS (
    SELECT 1 AS i, bevoegd_gezag FROM st
    WHERE registratiedatum > (SELECT deadline FROM a WHERE afspraak = 'overzicht-spoedlocaties')
    UNION ALL
    SELECT 2, bevoegd_gezag FROM st, (SELECT deadline FROM a WHERE afspraak = 'overzicht-overig') o
    WHERE eerste_ecologisch > o.deadline OR eerste_verspreiding > o.deadline
), lijsten AS (
    SELECT CASE afspraak WHEN 'overzicht-spoedlocaties' THEN 1 ELSE 2 END AS i,
           CASE afspraak WHEN 'overzicht-spoedlocaties' THEN 'overzicht spoedlocaties'
                ELSE 'overzicht ecologische en verspreidingsrisico''s' END AS lijst,
           strftime(deadline, '%Y-%m-%d') AS deadline,
           besluitjson(besluit_id, besluitdatum, besluit_titel) AS besluit
    FROM a WHERE afspraak IN ('overzicht-spoedlocaties', 'overzicht-overig')
), per_lijst AS (
    SELECT l.i, l.lijst, l.deadline, l.besluit, coalesce(sum(n), 0) AS later,
           kaart(list(struct_pack(k := bevoegd_gezag, v := n) ORDER BY bevoegd_gezag)
                 FILTER (WHERE bevoegd_gezag IS NOT NULL)) AS per_gezag
    FROM lijsten l LEFT JOIN (SELECT i, bevoegd_gezag, count(*) AS n FROM later GROUP BY ALL) c
        ON c.i = l.i
    GROUP BY ALL
), terug AS (
    SELECT bevoegd_gezag, locatie, naam, status, afgehandeld_op AS besluitdatum,
           (afgehandeld_vastgelegd AT TIME ZONE 'UTC')::DATE AS dag,
           strftime(CASE WHEN humaan AND afgehandeld_op <= h.deadline THEN h.deadline
                         ELSE al.deadline END, '%Y-%m-%d') AS deadline,
           CASE WHEN humaan AND afgehandeld_op <= h.deadline THEN h.besluit_titel
                ELSE al.besluit_titel END AS besluit
    FROM st, h, al
    WHERE bevestigd AND afgehandeld_op <= al.deadline
      AND (afgehandeld_vastgelegd AT TIME ZONE 'UTC')::DATE - afgehandeld_op > 90
), terug_per_gezag AS (
    SELECT bevoegd_gezag, count(*) AS n,
           list(json_object('bevoegdGezag', bevoegd_gezag, 'locatieId', locatie, 'naam', naam,
                'status', status, 'besluitdatum', strftime(besluitdatum, '%Y-%m-%d'),
                'vastgelegdOp', strftime(dag, '%Y-%m-%d'), 'dagenLaat', dag - besluitdatum,
                'deadline', deadline, 'besluit', besluit) ORDER BY locatie) AS locaties
    FROM terug GROUP BY ALL
)
SELECT json_object(
    'afspraken', (SELECT to_json(list(afspraakjson(a) ORDER BY i)) FROM a),
    'humaanNietOpTijd', json_object(
        'deadline', (SELECT strftime(deadline, '%Y-%m-%d') FROM h),
        'besluit', (SELECT besluitjson(besluit_id, besluitdatum, besluit_titel) FROM h),
        'verstreken', CAST($peildatum AS DATE) > (SELECT deadline FROM h),
        'aantal', (SELECT count(*) FROM humaan_niet_op_tijd),
        'locaties', (SELECT lijst(list(json_merge_patch(regel(locatie, bevoegd_gezag, naam,
                        gemeentecode, status, afgehandeld_op, risicotypes, knelpunt),
                        json_object('deadline', strftime(h.deadline, '%Y-%m-%d'),
                                    'besluit', h.besluit_titel)) ORDER BY locatie))
                     FROM humaan_niet_op_tijd, h)),
    'verlopen', (SELECT json_object('aantal', count(*), 'locaties', lijst(list(
                    json_merge_patch(regel(locatie, bevoegd_gezag, naam, gemeentecode, status,
                        afgehandeld_op, risicotypes, knelpunt),
                        json_object('deadline', strftime(deadline, '%Y-%m-%d'),
                                    'besluit', besluit))
                    ORDER BY locatie)))
                 FROM verlopen WHERE CAST($peildatum AS DATE) > deadline),
    'onvolledigeLijsten', (SELECT lijst(list(json_object('lijst', lijst, 'deadline', deadline,
                              'besluit', besluit, 'later', later, 'perBevoegdGezag', per_gezag)
                              ORDER BY i))
                           FROM per_lijst),
    'teruggedateerd', json_object(
        'grensDagen', 90,
        'aantal', (SELECT count(*) FROM terug),
        'perBevoegdGezag', (SELECT lijst(list(json_object('bevoegdGezag', bevoegd_gezag,
                               'aantal', n, 'locaties', to_json(locaties)) ORDER BY bevoegd_gezag))
                            FROM terug_per_gezag))
) AS inhoud;
