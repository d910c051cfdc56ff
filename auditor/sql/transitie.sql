-- docs/rapportages.md section 6, transitie.
WITH k AS (
    SELECT * FROM kennisfeit
    WHERE positie <= $positie
      AND bedrijf_dag <= CAST($peildatum AS DATE)
      AND vastgelegd_dag <= coalesce(CAST($kennisdatum AS DATE), vastgelegd_dag)
), gesteld AS (
    -- the last "asked" of each question starts it
    SELECT onderwerp, arg_max(positie, positie) AS p, arg_max(us, positie) AS op,
           arg_max(data, positie) AS data
    FROM k WHERE soort = 'kennisvraag-gesteld' GROUP BY ALL
), eerst_gesteld AS (
    SELECT onderwerp, min(positie) AS p FROM k WHERE soort = 'kennisvraag-gesteld' GROUP BY ALL
), vraag AS (
    SELECT g.onderwerp, g.op,
           coalesce(nullif(g.data ->> 'organisatie', ''), 'programma') AS org,
           CAST(g.data -> 'themas' AS VARCHAR[]) AS themas,
           (SELECT arg_min(a.us, a.positie) FROM k a WHERE a.onderwerp = g.onderwerp
              AND a.soort = 'kennisvraag-antwoord-gegeven' AND a.positie > g.p) AS eerste_antwoord,
           (SELECT arg_max(a.us, a.positie) FROM k a WHERE a.onderwerp = g.onderwerp
              AND a.soort = 'kennisvraag-antwoord-geaccepteerd' AND a.positie > g.p) AS geaccepteerd,
           EXISTS (SELECT 1 FROM k a WHERE a.onderwerp = g.onderwerp
              AND a.soort = 'kennisvraag-gesloten' AND a.positie > g.p) AS gesloten
    FROM gesteld g
), antwoord AS (
    SELECT coalesce(nullif(a.data ->> 'organisatie', ''), 'programma') AS org
    FROM k a JOIN eerst_gesteld e ON e.onderwerp = a.onderwerp AND a.positie > e.p
    WHERE a.soort = 'kennisvraag-antwoord-gegeven'
), mediaan AS (
    -- median of durations in whole microseconds, as an exact fraction teller / noemer days
    SELECT wat, CASE WHEN n % 2 = 1 THEN 2 * m1 ELSE m1 + m2 END AS teller, n
    FROM (
        SELECT wat, count(*) AS n,
               list(duur ORDER BY duur)[(count(*) + 1) // 2] AS m1,
               list(duur ORDER BY duur)[count(*) // 2 + 1] AS m2
        FROM (SELECT 'antwoord' AS wat, eerste_antwoord - op AS duur FROM vraag
              WHERE eerste_antwoord IS NOT NULL
              UNION ALL
              SELECT 'acceptatie', geaccepteerd - op FROM vraag WHERE geaccepteerd IS NOT NULL)
        GROUP BY ALL)
), dagen AS (
    SELECT wat, CAST(afronden(100 * CAST(teller AS HUGEINT), 2 * 86400000000) AS DOUBLE) / 100 AS d
    FROM mediaan
), thema AS (
    SELECT t.thema, count(*) AS gesteld, aantal(v.geaccepteerd IS NOT NULL) AS beantwoord
    FROM vraag v, unnest(v.themas) AS t(thema) GROUP BY ALL
), deelname AS (
    SELECT org, sum(g) AS gesteld, sum(a) AS antwoorden FROM (
        SELECT org, 1 AS g, 0 AS a FROM vraag UNION ALL SELECT org, 0, 1 FROM antwoord)
    GROUP BY ALL
), gecombineerd AS (
    SELECT count(*) AS groepen,
           (SELECT count(DISTINCT id) FROM k c2, unnest(CAST(c2.data -> 'vraag_ids' AS VARCHAR[])) AS u(id)
            WHERE c2.soort = 'kennisvragen-gecombineerd') AS vragen
    FROM k WHERE soort = 'kennisvragen-gecombineerd'
), bijeenkomst AS (
    SELECT g.onderwerp, g.data ->> 'soort' AS soort,
           coalesce((SELECT arg_max(json_array_length(a.data -> 'aanwezig'), a.positie) FROM k a
              WHERE a.onderwerp = g.onderwerp AND a.soort = 'bijeenkomst-aanwezigheid-geregistreerd'
                AND a.positie > g.p), 0) AS aanwezig
    FROM (SELECT onderwerp, max(positie) AS p, arg_max(data, positie) AS data FROM k
          WHERE soort = 'bijeenkomst-gepland' GROUP BY ALL) g
), score AS (
    SELECT CAST(a.data ->> 'score' AS BIGINT) AS score
    FROM k a JOIN (SELECT onderwerp, max(positie) AS p FROM k WHERE soort = 'bijeenkomst-gepland'
                   GROUP BY ALL) g ON g.onderwerp = a.onderwerp AND a.positie > g.p
    WHERE a.soort = 'bijeenkomst-geevalueerd'
)
SELECT json_object(
    'samenvatting', json_object(
        'gesteld', (SELECT count(*) FROM vraag),
        'beantwoord', (SELECT aantal(geaccepteerd IS NOT NULL) FROM vraag),
        'gesloten', (SELECT aantal(gesloten) FROM vraag),
        'open', (SELECT aantal(geaccepteerd IS NULL AND NOT gesloten) FROM vraag),
        'antwoorden', (SELECT count(*) FROM antwoord),
        'medianeDagenTotEersteAntwoord', (SELECT d FROM dagen WHERE wat = 'antwoord'),
        'medianeDagenTotAcceptatie', (SELECT d FROM dagen WHERE wat = 'acceptatie'),
        'vraaggroepen', (SELECT groepen FROM gecombineerd),
        'vragenGecombineerd', (SELECT vragen FROM gecombineerd)),
    'documenten', (SELECT kaart(list(struct_pack(k := s, v := n) ORDER BY s)) FROM (
        SELECT data ->> 'soort' AS s, count(*) AS n FROM k
        WHERE soort = 'kennisdocument-gepubliceerd' GROUP BY ALL)),
    'bijeenkomsten', json_object(
        'gepland', (SELECT count(*) FROM bijeenkomst),
        'gehouden', (SELECT aantal(aanwezig > 0) FROM bijeenkomst),
        'perSoort', (SELECT kaart(list(struct_pack(k := soort, v := n) ORDER BY soort)) FROM (
            SELECT soort, count(*) AS n FROM bijeenkomst GROUP BY ALL)),
        'aanwezigen', (SELECT CAST(coalesce(sum(aanwezig) FILTER (WHERE aanwezig > 0), 0) AS BIGINT) FROM bijeenkomst),
        'evaluaties', (SELECT count(*) FROM score),
        'gemiddeldeScore', (SELECT CASE WHEN count(*) > 0 THEN
            CAST(afronden(100 * CAST(sum(score) AS HUGEINT), count(*)) AS DOUBLE) / 100 END FROM score)),
    'experts', (SELECT count(*) FROM k WHERE soort = 'expert-geregistreerd'),
    'successen', json_object(
        'aantal', (SELECT count(*) FROM k WHERE soort = 'succes-gemeld'),
        'perOrganisatie', (SELECT kaart(list(struct_pack(k := o, v := n) ORDER BY o)) FROM (
            SELECT coalesce(nullif(data ->> 'bevoegd_gezag', ''), 'programma') AS o, count(*) AS n
            FROM k WHERE soort = 'succes-gemeld' GROUP BY ALL))),
    'perThema', (SELECT kaart(list(struct_pack(k := thema, v := json_object('gesteld', gesteld,
                    'beantwoord', beantwoord)) ORDER BY thema)) FROM thema),
    'deelname', (SELECT lijst(list(json_object('organisatie', org, 'gesteld', gesteld,
                    'antwoorden', antwoorden) ORDER BY -(gesteld + antwoorden), org)) FROM deelname)
) AS inhoud;
