-- docs/rapportages.md, budget.
WITH st AS (SELECT * FROM stand($peildatum, $kennisdatum, $positie)),
envelop AS (
    SELECT data ->> 'bevoegd_gezag' AS code, data ->> 'doel' AS doel,
           arg_max(data, strftime(ingangsdatum, '%Y-%m-%d') || volgorde) AS data
    FROM programmafeit
    WHERE soort = 'programma-envelop-vastgesteld' AND positie <= $positie
      AND ($kennisdatum IS NULL OR vastgelegd_dag <= CAST($kennisdatum AS DATE))
      AND ingangsdatum <= CAST($peildatum AS DATE)
    GROUP BY ALL
), sleutels AS (
    SELECT g.code, g.naam, d.i, d.doel
    FROM gezag g, (VALUES (1, 'land'), (2, 'waterbodem')) d(i, doel)
), per_sleutel AS (
    SELECT bevoegd_gezag AS code,
           CASE WHEN bodemtype = 'waterbodem' THEN 'waterbodem' ELSE 'land' END AS doel,
           sum(budget) AS toegekend, sum(kosten) AS besteed
    FROM st GROUP BY ALL
), rijen AS (
    SELECT k.code, k.naam, k.i, k.doel,
           CAST(e.data ->> 'bedrag_euro' AS BIGINT) AS envelop,
           CASE WHEN e.data IS NOT NULL THEN besluitjson(e.data ->> 'besluit_id',
               CAST(e.data ->> 'besluitdatum' AS DATE), e.data ->> 'besluit_titel') END AS besluit,
           CAST(coalesce(t.toegekend, 0) AS BIGINT) AS toegekend,
           CAST(coalesce(t.besteed, 0) AS BIGINT) AS besteed
    FROM sleutels k
    LEFT JOIN envelop e ON e.code = k.code AND e.doel = k.doel
    LEFT JOIN per_sleutel t ON t.code = k.code AND t.doel = k.doel
), landelijk AS (
    SELECT v.d AS doel, CAST(sum(envelop) AS BIGINT) AS envelop,
           CAST(sum(toegekend) AS BIGINT) AS toegekend, CAST(sum(besteed) AS BIGINT) AS besteed
    FROM rijen, (VALUES ('land'), ('waterbodem'), ('totaal')) v(d)
    WHERE v.d = 'totaal' OR v.d = rijen.doel
    GROUP BY ALL
), bedragen AS (
    SELECT *, json_object('envelopEuro', envelop, 'toegekendEuro', toegekend,
                          'besteedEuro', besteed, 'resterendEuro', envelop - toegekend,
                          'percentageBesteed', pct(besteed, envelop)) AS j
    FROM landelijk
)
SELECT json_object(
    'landelijk', json_object(
        'land', (SELECT j FROM bedragen WHERE doel = 'land'),
        'waterbodem', (SELECT j FROM bedragen WHERE doel = 'waterbodem'),
        'totaal', (SELECT j FROM bedragen WHERE doel = 'totaal')),
    'perBevoegdGezag', (SELECT lijst(list(json_object(
            'bevoegdGezag', code, 'naam', naam, 'doel', doel, 'envelopEuro', envelop,
            'toegekendEuro', toegekend, 'besteedEuro', besteed,
            'resterendEuro', envelop - toegekend, 'percentageBesteed', pct(besteed, envelop),
            'besluit', besluit) ORDER BY code, i))
        FROM rijen)
) AS inhoud;
