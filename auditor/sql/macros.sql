-- docs/rapportages.md sections 2 and 3: numbers, the cut-off, corrections and the fold.

-- n / d rounded to a whole number exactly, ties to even (d > 0).
CREATE OR REPLACE MACRO afronden(n, d) AS
    sign(n) * (abs(n) // d + CASE
        WHEN 2 * (abs(n) % d) > d THEN 1
        WHEN 2 * (abs(n) % d) = d AND (abs(n) // d) % 2 = 1 THEN 1
        ELSE 0 END);

-- A percentage with one decimal; null for an empty whole.
CREATE OR REPLACE MACRO pct(deel, geheel) AS
    CASE WHEN geheel = 0 THEN NULL
         ELSE CAST(afronden(1000 * CAST(deel AS HUGEINT), geheel) AS DOUBLE) / 10 END;

-- How many rows meet a condition; 0, not null, for none (count_if gives null over nulls only).
CREATE OR REPLACE MACRO aantal(x) AS CAST(coalesce(sum(CASE WHEN x THEN 1 ELSE 0 END), 0) AS BIGINT);

CREATE OR REPLACE MACRO bevestigd(status) AS
    status NOT IN ('potentieel-spoed', 'onderzocht', 'ernstig-geen-spoed', 'niet-ernstig');
CREATE OR REPLACE MACRO afgehandeld(status) AS status IN ('gesaneerd', 'beheerst', 'nazorg');

-- The facts that count at a cut-off (positie, kennisdatum or NULL).
CREATE OR REPLACE MACRO telt(tot, kennis) AS TABLE
    SELECT * FROM spoedfeit WHERE positie <= tot AND (kennis IS NULL OR vastgelegd_dag <= kennis);

-- A field of a fact after its corrections (JSON): a corrected key replaces the value, also by null.
CREATE OR REPLACE MACRO veld(data, waarden, k) AS
    CASE WHEN waarden IS NOT NULL AND map_contains(waarden, k) THEN waarden[k]
         ELSE json_extract(data, '$."' || k || '"') END;
CREATE OR REPLACE MACRO tekst(data, waarden, k) AS veld(data, waarden, k) ->> '$';

-- Every ordinary fact at a cut-off with its corrected values and business date, and when its
-- decision was put on record: its own record time or, later, that of the last correction of
-- its besluitdatum or naar.
CREATE OR REPLACE MACRO feit(tot, kennis) AS TABLE
WITH c AS (
    SELECT locatie, try_cast(data ->> 'gecorrigeerde_versie' AS BIGINT) AS doel, positie,
           vastgelegd, data -> 'correctie' AS correctie
    FROM telt(tot, kennis) WHERE soort = 'registratie-gecorrigeerd'
), waarde AS (
    SELECT c.locatie, c.doel, j.key AS sleutel, arg_max_null(j.value, c.positie) AS waarde
    FROM c, json_each(c.correctie) AS j GROUP BY ALL
), per_feit AS (
    SELECT locatie, doel, map_from_entries(list(struct_pack(k := sleutel, v := waarde))) AS waarden
    FROM waarde GROUP BY ALL
), herbesluit AS (
    SELECT locatie, doel, max(vastgelegd) AS op FROM c
    WHERE json_exists(correctie, '$.besluitdatum') OR json_exists(correctie, '$.naar')
    GROUP BY ALL
), f AS (
    SELECT t.*, p.waarden, h.op AS herbesloten
    FROM telt(tot, kennis) t
    LEFT JOIN per_feit p ON p.locatie = t.locatie AND p.doel = t.versie
    LEFT JOIN herbesluit h ON h.locatie = t.locatie AND h.doel = t.versie
    WHERE t.soort <> 'registratie-gecorrigeerd'
)
SELECT locatie, versie, soort,
       greatest(vastgelegd, coalesce(herbesloten, vastgelegd)) AS besluit_vastgelegd,
       CAST(nullif(tekst(data, waarden, datumveld), '') AS DATE) AS datum,
       tekst(data, waarden, 'bevoegd_gezag') AS bevoegd_gezag,
       tekst(data, waarden, 'gemeentecode') AS gemeentecode,
       tekst(data, waarden, 'naam') AS naam,
       tekst(data, waarden, 'bodemtype') AS bodemtype,
       tekst(data, waarden, 'status') AS status,
       tekst(data, waarden, 'naar') AS naar,
       tekst(data, waarden, 'risicotype') AS risicotype,
       tekst(data, waarden, 'vastgesteld') = 'true' AS vastgesteld,
       tekst(data, waarden, 'knelpunt') AS knelpunt,
       CAST(tekst(data, waarden, 'bedrag_euro') AS BIGINT) AS bedrag,
       CAST(nullif(tekst(data, waarden, 'onderzoek_gereed'), '') AS DATE) AS plan_onderzoek,
       CAST(nullif(tekst(data, waarden, 'start_sanering'), '') AS DATE) AS plan_start,
       CAST(nullif(tekst(data, waarden, 'afgehandeld'), '') AS DATE) AS plan_afgehandeld
FROM f;

-- Section 6: a site against its plan on the peildatum; behind when a planned milestone lies
-- before the peildatum and the status has not passed it.
CREATE OR REPLACE MACRO planstatus(status, gepland, onderzoek, start, klaar, peil) AS
    CASE WHEN afgehandeld(status) THEN 'afgehandeld'
         WHEN NOT gepland THEN 'geen planning'
         WHEN (onderzoek < peil AND status = 'potentieel-spoed')
           OR (start < peil AND status NOT IN ('sanering-gestart', 'tijdelijke-beveiliging',
                                               'gesaneerd', 'beheerst', 'nazorg'))
           OR klaar < peil THEN 'achter op planning'
         ELSE 'op schema' END;

-- Section 3, the fold: every site that exists on the peildatum, as it stood then.
CREATE OR REPLACE MACRO stand(peil, kennis, tot) AS TABLE
WITH f AS (
    SELECT * FROM feit(tot, kennis) WHERE datum IS NOT NULL AND datum <= peil
), reg AS (
    -- the last registration (in version order) restarts the site
    SELECT locatie, max(versie) AS regversie FROM f WHERE soort = 'geregistreerd' GROUP BY ALL
), g AS (
    SELECT f.* FROM f JOIN reg USING (locatie) WHERE f.versie > reg.regversie
), risico AS (
    SELECT locatie, risicotype, arg_max_null(vastgesteld, versie) AS waar,
           arg_min(datum, versie) AS eerste
    FROM g WHERE soort = 'risico-beoordeeld' GROUP BY ALL
), risicos AS (
    SELECT locatie,
           coalesce(bool_or(risicotype = 'humaan' AND waar), false) AS humaan,
           coalesce(list(risicotype ORDER BY risicotype) FILTER (WHERE waar), []) AS risicotypes,
           min(eerste) FILTER (WHERE risicotype = 'ecologisch') AS eerste_ecologisch,
           min(eerste) FILTER (WHERE risicotype = 'verspreiding') AS eerste_verspreiding
    FROM risico GROUP BY ALL
), verloop AS (
    SELECT locatie,
           arg_max_null(naar, versie) FILTER (WHERE soort = 'status-gewijzigd') AS status,
           arg_min(datum, versie) FILTER (WHERE soort = 'status-gewijzigd' AND afgehandeld(naar))
               AS afgehandeld_op,
           arg_min(besluit_vastgelegd, versie)
               FILTER (WHERE soort = 'status-gewijzigd' AND afgehandeld(naar)) AS afgehandeld_vastgelegd,
           arg_max_null(knelpunt, versie) FILTER (WHERE soort = 'knelpunt-vastgesteld') AS knelpunt,
           count(*) FILTER (WHERE soort = 'knelpunt-vastgesteld') AS knelpunten,
           arg_max_null(naar, versie) FILTER (WHERE soort = 'bevoegd-gezag-overgedragen') AS naar_gezag,
           count(*) FILTER (WHERE soort = 'bevoegd-gezag-overgedragen') AS overdrachten,
           count(*) FILTER (WHERE soort = 'status-gewijzigd') AS besluiten,
           coalesce(sum(bedrag) FILTER (WHERE soort = 'budget-toegekend'), 0) AS budget,
           coalesce(sum(bedrag) FILTER (WHERE soort = 'kosten-geboekt'), 0) AS kosten,
           -- the plan in force: the last plan fact in version order (section 3)
           count(*) FILTER (WHERE soort = 'planning-vastgesteld') AS plannen,
           arg_max_null(plan_onderzoek, versie) FILTER (WHERE soort = 'planning-vastgesteld') AS plan_onderzoek,
           arg_max_null(plan_start, versie) FILTER (WHERE soort = 'planning-vastgesteld') AS plan_start,
           arg_max_null(plan_afgehandeld, versie) FILTER (WHERE soort = 'planning-vastgesteld') AS plan_afgehandeld
    FROM g GROUP BY ALL
), s AS (
    SELECT r.locatie,
           CASE WHEN coalesce(v.overdrachten, 0) > 0 THEN v.naar_gezag ELSE r.bevoegd_gezag END AS bevoegd_gezag,
           r.gemeentecode, r.naam, r.datum AS registratiedatum, r.bodemtype,
           CASE WHEN coalesce(v.besluiten, 0) > 0 THEN v.status ELSE r.status END AS status,
           v.afgehandeld_op, v.afgehandeld_vastgelegd,
           coalesce(k.humaan, false) AS humaan, coalesce(k.risicotypes, []) AS risicotypes,
           k.eerste_ecologisch, k.eerste_verspreiding,
           CASE WHEN coalesce(v.knelpunten, 0) = 0 OR v.knelpunt = 'geen' THEN NULL ELSE v.knelpunt END AS knelpunt,
           CAST(coalesce(v.budget, 0) AS BIGINT) AS budget,
           CAST(coalesce(v.kosten, 0) AS BIGINT) AS kosten,
           coalesce(v.plannen, 0) > 0 AS gepland, v.plan_onderzoek, v.plan_start, v.plan_afgehandeld
    FROM f r JOIN reg ON r.locatie = reg.locatie AND r.versie = reg.regversie
    LEFT JOIN verloop v ON v.locatie = r.locatie
    LEFT JOIN risicos k ON k.locatie = r.locatie
)
SELECT s.*, bevestigd(s.status) AS bevestigd, afgehandeld(s.status) AS afgehandeld,
       coalesce(b.provincie, s.bevoegd_gezag) AS provincie,
       planstatus(s.status, s.gepland, s.plan_onderzoek, s.plan_start, s.plan_afgehandeld,
                  CAST(peil AS DATE)) AS planstatus
FROM s LEFT JOIN gezag b ON b.code = s.bevoegd_gezag;

-- Section 4: the summary of a set of sites, as an aggregate over rows of stand.
CREATE OR REPLACE MACRO samenvatting(bevestigd, afgehandeld, humaan, knelpunt, budget, kosten) AS
json_object(
    'geregistreerd', count(*),
    'bevestigd', aantal(bevestigd),
    'afgehandeld', aantal(bevestigd AND afgehandeld),
    'humaan', aantal(bevestigd AND humaan),
    'humaanAfgehandeld', aantal(bevestigd AND humaan AND afgehandeld),
    'percentageAfgehandeld', pct(aantal(bevestigd AND afgehandeld), aantal(bevestigd)),
    'percentageHumaanAfgehandeld',
        pct(aantal(bevestigd AND humaan AND afgehandeld), aantal(bevestigd AND humaan)),
    'metKnelpunt', aantal(bevestigd AND knelpunt IS NOT NULL AND NOT afgehandeld),
    'budgetEuro', CAST(coalesce(sum(budget), 0) AS BIGINT),
    'kostenEuro', CAST(coalesce(sum(kosten), 0) AS BIGINT));

-- The agreements in force (docs/rapportages.md, afspraken): per kind the decision with the
-- latest ingangsdatum on or before the peildatum (then the later position), at the cut-off;
-- without one the covenant's own (2009).
CREATE OR REPLACE MACRO afspraken(peil, kennis, tot) AS TABLE
WITH oorspronkelijk AS (
    SELECT * FROM (VALUES
        (1, 'overzicht-spoedlocaties', 'overzicht van alle spoedlocaties', DATE '2010-12-31'),
        (2, 'humaan', 'humane spoedlocaties gesaneerd of beheerst', DATE '2015-12-31'),
        (3, 'overzicht-overig', 'overzicht van de ecologische en verspreidingsrisico''s',
            DATE '2015-12-31'),
        (4, 'alle', 'alle spoedlocaties gesaneerd of beheerst', DATE '2020-12-31')
    ) t(i, afspraak, omschrijving, deadline)
), besluit AS (
    SELECT data ->> 'afspraak' AS afspraak,
           arg_max(data, strftime(ingangsdatum, '%Y-%m-%d') || volgorde) AS data
    FROM programmafeit
    WHERE soort = 'programma-afspraak-vastgesteld' AND positie <= tot
      AND (kennis IS NULL OR vastgelegd_dag <= kennis) AND ingangsdatum <= CAST(peil AS DATE)
    GROUP BY ALL
)
SELECT o.i, o.afspraak, o.omschrijving,
       coalesce(CAST(b.data ->> 'deadline' AS DATE), o.deadline) AS deadline,
       coalesce(CAST(b.data ->> 'doel_percentage' AS INTEGER), 100) AS doel_percentage,
       coalesce(CAST(b.data ->> 'ingangsdatum' AS DATE), DATE '2009-07-10') AS ingangsdatum,
       coalesce(b.data ->> 'besluit_id', 'convenant-2009') AS besluit_id,
       coalesce(CAST(b.data ->> 'besluitdatum' AS DATE), DATE '2009-07-10') AS besluitdatum,
       coalesce(b.data ->> 'besluit_titel',
                'Convenant bodemontwikkelingsbeleid en aanpak spoedlocaties (2009)') AS besluit_titel
FROM oorspronkelijk o LEFT JOIN besluit b ON b.afspraak = o.afspraak;

-- The envelopes in force (docs/rapportages.md, afspraken): per bevoegd gezag and purpose the
-- decision with the latest ingangsdatum on or before the peildatum, at the cut-off.
CREATE OR REPLACE MACRO enveloppen(peil, kennis, tot) AS TABLE
SELECT data ->> 'bevoegd_gezag' AS code, data ->> 'doel' AS doel,
       arg_max(data, strftime(ingangsdatum, '%Y-%m-%d') || volgorde) AS data
FROM programmafeit
WHERE soort = 'programma-envelop-vastgesteld' AND positie <= tot
  AND (kennis IS NULL OR vastgelegd_dag <= kennis) AND ingangsdatum <= CAST(peil AS DATE)
GROUP BY ALL;

CREATE OR REPLACE MACRO besluitjson(id, datum, titel) AS
    json_object('id', id, 'datum', strftime(datum, '%Y-%m-%d'), 'titel', titel);
CREATE OR REPLACE MACRO afspraakjson(a) AS json_object(
    'afspraak', a.afspraak, 'omschrijving', a.omschrijving,
    'deadline', strftime(a.deadline, '%Y-%m-%d'), 'doelPercentage', a.doel_percentage,
    'ingangsdatum', strftime(a.ingangsdatum, '%Y-%m-%d'),
    'besluit', besluitjson(a.besluit_id, a.besluitdatum, a.besluit_titel));

-- The goals (section 4) on a peildatum, against the agreements in force.
CREATE OR REPLACE MACRO doelen(peil, kennis, tot) AS TABLE
WITH d AS (
    SELECT i, omschrijving AS doel, deadline, afspraak = 'humaan' AS alleen_humaan,
           doel_percentage, besluit_id, besluitdatum, besluit_titel
    FROM afspraken(peil, kennis, tot) WHERE afspraak IN ('humaan', 'alle')
), r AS (
    SELECT d.i, d.doel, d.deadline, d.doel_percentage, d.besluit_id, d.besluitdatum,
           d.besluit_titel,
           count(s.locatie) AS totaal,
           aantal(s.afgehandeld) AS afgehandeld,
           aantal(s.afgehandeld_op <= d.deadline) AS op_tijd
    FROM d LEFT JOIN stand(peil, kennis, tot) s
        ON s.bevestigd AND (s.humaan OR NOT d.alleen_humaan)
    GROUP BY ALL
)
SELECT to_json(list(json_object(
    'doel', doel, 'deadline', strftime(deadline, '%Y-%m-%d'), 'totaal', totaal,
    'afgehandeld', afgehandeld, 'opTijd', op_tijd, 'percentage', pct(afgehandeld, totaal),
    'gehaald', CASE WHEN CAST(peil AS DATE) > deadline
                    THEN 100 * op_tijd >= doel_percentage * totaal END,
    'doelPercentage', doel_percentage,
    'besluit', besluitjson(besluit_id, besluitdatum, besluit_titel)) ORDER BY i)) AS doelen
FROM r;

-- The site line (section 4).
CREATE OR REPLACE MACRO regel(locatie, bevoegd_gezag, naam, gemeentecode, status, afgehandeld_op,
                              risicotypes, knelpunt) AS
json_object('locatieId', locatie, 'bevoegdGezag', bevoegd_gezag, 'naam', naam,
            'gemeentecode', gemeentecode, 'status', status,
            'afgehandeldOp', strftime(afgehandeld_op, '%Y-%m-%d'),
            'risicotypes', to_json(risicotypes), 'knelpunt', knelpunt);

-- A JSON list of rows in order, or [] for none.
CREATE OR REPLACE MACRO lijst(x) AS coalesce(to_json(x), '[]'::JSON);
CREATE OR REPLACE MACRO kaart(entries) AS
    coalesce(to_json(map_from_entries(entries)), '{}'::JSON);

-- Why an authority is behind on a goal (section 5), or null: its deadline passed with sites
-- of the goal not dealt with by it, or fewer dealt with than the pro-rata path from the
-- covenant's start (2010-01-01) to the deadline; no task, no reason.
CREATE OR REPLACE MACRO doelreden(doel, deadline, n, gedaan, niet_op_tijd, peil) AS
    CASE WHEN n = 0 THEN NULL
         WHEN peil > deadline THEN
             CASE WHEN niet_op_tijd > 0 THEN doel || ': deadline ' || strftime(deadline, '%Y-%m-%d')
                  || ' verstreken, ' || niet_op_tijd || ' van ' || n || ' niet op tijd afgehandeld' END
         WHEN gedaan * date_diff('day', DATE '2010-01-01', deadline)
              < least(greatest(date_diff('day', DATE '2010-01-01', peil), 0),
                      date_diff('day', DATE '2010-01-01', deadline)) * n
         THEN doel || ': ' || gedaan || ' van ' || n || ' afgehandeld, pro rata '
              || tiende(least(greatest(date_diff('day', DATE '2010-01-01', peil), 0),
                              date_diff('day', DATE '2010-01-01', deadline)) * n * 10,
                        date_diff('day', DATE '2010-01-01', deadline))
              || ' op weg naar ' || strftime(deadline, '%Y-%m-%d')
         END;

-- n / d with one decimal and a decimal comma, rounded half to even (n >= 0, d > 0 tenths).
CREATE OR REPLACE MACRO tiende(n, d) AS
    CAST(afronden(n, d) // 10 AS VARCHAR) || ',' || CAST(afronden(n, d) % 10 AS VARCHAR);

-- The ranking per bevoegd gezag or province (section 5), one row per key.
CREATE OR REPLACE MACRO ranglijst(peil, kennis, tot, per_provincie) AS TABLE
WITH humaan AS (
    SELECT deadline FROM afspraken(peil, kennis, tot) WHERE afspraak = 'humaan'
), alle AS (
    SELECT deadline FROM afspraken(peil, kennis, tot) WHERE afspraak = 'alle'
), st AS (
    SELECT *, CASE WHEN per_provincie THEN provincie ELSE bevoegd_gezag END AS sleutel,
           (SELECT deadline FROM humaan) AS deadline_humaan,
           (SELECT deadline FROM alle) AS deadline_alle
    FROM stand(peil, kennis, tot)
), envelop AS (
    -- the envelopes in force per authority (all purposes), with the decisions behind them
    SELECT code, CAST(sum(CAST(data ->> 'bedrag_euro' AS BIGINT)) AS BIGINT) AS euro,
           list(besluitjson(data ->> 'besluit_id', CAST(data ->> 'besluitdatum' AS DATE),
                            data ->> 'besluit_titel') ORDER BY doel) AS besluiten
    FROM enveloppen(peil, kennis, tot) GROUP BY ALL
), sleutels AS (
    SELECT code, naam FROM gezag WHERE soort = 'provincie' OR NOT per_provincie
), tellingen AS (
    SELECT k.code, k.naam,
           count(s.locatie) AS geregistreerd,
           aantal(s.bevestigd) AS bevestigd,
           aantal(s.bevestigd AND s.afgehandeld) AS afgehandeld,
           aantal(s.bevestigd AND s.humaan) AS humaan,
           aantal(s.bevestigd AND s.humaan AND s.afgehandeld) AS humaan_afgehandeld,
           aantal(s.bevestigd AND s.knelpunt IS NOT NULL AND NOT s.afgehandeld) AS met_knelpunt,
           CAST(coalesce(sum(s.budget), 0) AS BIGINT) AS budget,
           CAST(coalesce(sum(s.kosten), 0) AS BIGINT) AS kosten,
           aantal(s.bevestigd AND s.humaan AND CAST(peil AS DATE) > s.deadline_humaan
                    AND NOT coalesce(s.afgehandeld_op <= s.deadline_humaan, false)) AS humaan_te_laat,
           aantal(s.bevestigd AND NOT coalesce(s.afgehandeld_op <= s.deadline_alle, false)) AS alle_niet_op_tijd,
           aantal(s.bevestigd AND NOT s.afgehandeld) AS open,
           aantal(s.bevestigd AND s.planstatus = 'op schema') AS op_schema,
           aantal(s.bevestigd AND s.planstatus = 'achter op planning') AS achter_plan,
           aantal(s.bevestigd AND s.planstatus = 'geen planning') AS zonder_plan
    FROM sleutels k LEFT JOIN st s ON s.sleutel = k.code GROUP BY ALL
), knelpunten AS (
    SELECT sleutel, kaart(list(struct_pack(k := knelpunt, v := n) ORDER BY knelpunt)) AS kaart
    FROM (SELECT sleutel, knelpunt, count(*) AS n FROM st
          WHERE knelpunt IS NOT NULL AND NOT afgehandeld GROUP BY ALL)
    GROUP BY ALL
), r AS (
    SELECT t.*, pct(afgehandeld, bevestigd) AS pa, pct(humaan_afgehandeld, humaan) AS pha,
           coalesce(kn.kaart, '{}'::JSON) AS knelpunten,
           list_filter([
               CASE WHEN achter_plan > 0
                    THEN achter_plan || ' locatie(s) achter op de eigen planning' END,
               doelreden('humaan', (SELECT deadline FROM humaan), humaan, humaan_afgehandeld,
                         humaan_te_laat, CAST(peil AS DATE)),
               doelreden('alle', (SELECT deadline FROM alle), bevestigd, afgehandeld,
                         alle_niet_op_tijd, CAST(peil AS DATE))
           ], lambda x: x IS NOT NULL) AS redenen,
           e.euro AS enveloppe, e.besluiten AS enveloppe_besluiten
    FROM tellingen t LEFT JOIN knelpunten kn ON kn.sleutel = t.code
    LEFT JOIN envelop e ON e.code = t.code
)
SELECT row_number() OVER (ORDER BY coalesce(pa, 0) DESC, coalesce(pha, 0) DESC, code) AS plaats,
       r.*, len(redenen) > 0 AS achter
FROM r;

CREATE OR REPLACE MACRO ranglijstrij(r) AS json_object(
    'code', r.code, 'naam', r.naam, 'geregistreerd', r.geregistreerd, 'bevestigd', r.bevestigd,
    'afgehandeld', r.afgehandeld, 'humaan', r.humaan, 'humaanAfgehandeld', r.humaan_afgehandeld,
    'percentageAfgehandeld', r.pa, 'percentageHumaanAfgehandeld', r.pha,
    'metKnelpunt', r.met_knelpunt, 'budgetEuro', r.budget, 'kostenEuro', r.kosten,
    'humaanTeLaat', r.humaan_te_laat, 'knelpunten', r.knelpunten, 'plaats', r.plaats,
    'opSchema', r.op_schema, 'achterOpPlanning', r.achter_plan, 'zonderPlanning', r.zonder_plan,
    'percentageOpSchema', pct(r.op_schema, r.open),
    'percentageBudgetBesteed', pct(r.kosten, r.budget),
    'enveloppeEuro', r.enveloppe,
    'percentageEnveloppeBesteed', CASE WHEN r.enveloppe > 0 THEN pct(r.kosten, r.enveloppe) END,
    'enveloppeBesluiten', lijst(r.enveloppe_besluiten),
    'achter', r.achter, 'redenen', to_json(r.redenen), 'reden', array_to_string(r.redenen, '; '));

-- A site's line in the Kamerbrief annex (section 7): with the names of its municipality and
-- bevoegd gezag.
CREATE OR REPLACE MACRO bijlageregel(locatie, bevoegd_gezag, naam, gemeentecode, status,
                                     afgehandeld_op, risicotypes, knelpunt) AS
json_object('locatieId', locatie, 'bevoegdGezag', bevoegd_gezag,
            'bevoegdGezagNaam', coalesce((SELECT g.naam FROM gezag g WHERE g.code = bevoegd_gezag),
                                         bevoegd_gezag),
            'naam', naam, 'gemeentecode', gemeentecode,
            'gemeente', coalesce((SELECT m.naam FROM gemeente m WHERE m.code = gemeentecode),
                                 gemeentecode),
            'status', status,
            'afgehandeldOp', strftime(afgehandeld_op, '%Y-%m-%d'),
            'risicotypes', to_json(risicotypes), 'knelpunt', knelpunt);
