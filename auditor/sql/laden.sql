-- docs/rapportages.md section 1: the events of the log that are facts, in one table.
-- Expects table ruw(ev JSON), one row per line of the exported log.
CREATE OR REPLACE TEMP TABLE gebeurtenis AS
SELECT
    try_cast(ev ->> 'position' AS BIGINT) AS positie,
    ev ->> 'storeid' AS store,
    coalesce(ev ->> 'subject', '') AS onderwerp,
    try_cast(ev ->> 'sequence' AS BIGINT) AS versie,
    try_cast(ev ->> 'time' AS TIMESTAMPTZ) AS vastgelegd,
    CASE WHEN starts_with(ev ->> 'type', 'nl.overheid.bodem.')
         THEN substr(ev ->> 'type', length('nl.overheid.bodem.') + 1)
         ELSE ev ->> 'type' END AS soort,
    coalesce(try_cast(ev ->> 'schemaversion' AS INTEGER), 1) AS schemaversie,
    ev -> 'data' AS data
FROM ruw
WHERE ev ->> 'specversion' = '1.0'
  AND ev ->> 'id' IS NOT NULL
  AND ev ->> 'source' IS NOT NULL
  AND json_type(ev -> 'data') = 'OBJECT';

DELETE FROM gebeurtenis
WHERE positie IS NULL OR store IS NULL OR versie IS NULL OR vastgelegd IS NULL
   OR soort = 'logboek-verankerd'
   OR store <> (SELECT arg_min(store, positie) FROM gebeurtenis
                WHERE positie IS NOT NULL AND store IS NOT NULL AND versie IS NOT NULL
                  AND vastgelegd IS NOT NULL AND soort <> 'logboek-verankerd');

-- Spoedlocatie facts: known type, required fields present (after upcasting: a status event
-- of schema version 0 names "naar" "status"), a valid business date when there is one.
CREATE OR REPLACE TEMP TABLE spoedfeit AS
WITH g AS (
    SELECT *, replace(soort, 'spoedlocatie-', '') AS s,
           (soort = 'spoedlocatie-status-gewijzigd' AND schemaversie = 0) AS v0
    FROM gebeurtenis
    WHERE soort IN ('spoedlocatie-geregistreerd', 'spoedlocatie-status-gewijzigd',
                    'spoedlocatie-risico-beoordeeld', 'spoedlocatie-knelpunt-vastgesteld',
                    'spoedlocatie-budget-toegekend', 'spoedlocatie-kosten-geboekt',
                    'spoedlocatie-bevoegd-gezag-overgedragen',
                    'spoedlocatie-registratie-gecorrigeerd',
                    'spoedlocatie-planning-vastgesteld')
), v AS (
    SELECT *,
        CASE s WHEN 'geregistreerd' THEN 'registratiedatum' WHEN 'status-gewijzigd' THEN 'besluitdatum'
               WHEN 'risico-beoordeeld' THEN 'beoordelingsdatum' WHEN 'registratie-gecorrigeerd' THEN NULL
               ELSE 'datum' END AS datumveld,
        CASE s WHEN 'geregistreerd' THEN ['bevoegd_gezag', 'gemeentecode', 'naam', 'status', 'registratiedatum']
               WHEN 'status-gewijzigd' THEN ['van', CASE WHEN v0 THEN 'status' ELSE 'naar' END, 'besluitdatum']
               WHEN 'risico-beoordeeld' THEN ['risicotype', 'vastgesteld', 'beoordelingsdatum']
               WHEN 'knelpunt-vastgesteld' THEN ['knelpunt', 'datum']
               WHEN 'budget-toegekend' THEN ['bedrag_euro', 'datum']
               WHEN 'kosten-geboekt' THEN ['bedrag_euro', 'datum']
               WHEN 'bevoegd-gezag-overgedragen' THEN ['van', 'naar', 'datum']
               WHEN 'planning-vastgesteld' THEN ['onderzoek_gereed', 'start_sanering', 'afgehandeld', 'datum']
               ELSE ['gecorrigeerde_versie', 'correctie', 'reden'] END AS verplicht
    FROM g
)
SELECT positie, onderwerp AS locatie, versie, s AS soort, vastgelegd,
       (vastgelegd AT TIME ZONE 'UTC')::DATE AS vastgelegd_dag,
       CASE WHEN v0 THEN json_merge_patch(data, json_object('naar', data -> 'status')) ELSE data END AS data,
       datumveld
FROM v
WHERE list_bool_and([json_exists(data, '$."' || veld || '"') for veld in verplicht])
  AND (datumveld IS NULL OR coalesce(data ->> datumveld, '') = ''
       OR try_cast(data ->> datumveld AS DATE) IS NOT NULL);

-- Kennis facts: every kennis type. Business time: the start (UTC) of the event's own date
-- (`datum`; `gepland_op` for a planned meeting, whose `datum` is the meeting day), or its
-- record time for events from before they carried one.
CREATE OR REPLACE TEMP TABLE kennisfeit AS
SELECT positie, onderwerp, soort, vastgelegd, vastgelegd_dag,
       coalesce(bedrijfsdag, vastgelegd_dag) AS bedrijf_dag,
       coalesce(epoch_us(CAST(bedrijfsdag AS TIMESTAMP)), epoch_us(vastgelegd)) AS us, data
FROM (
    SELECT *, (vastgelegd AT TIME ZONE 'UTC')::DATE AS vastgelegd_dag,
           try_cast(data ->> CASE WHEN soort = 'bijeenkomst-gepland' THEN 'gepland_op'
                                  ELSE 'datum' END AS DATE) AS bedrijfsdag
    FROM gebeurtenis
)
WHERE soort IN ('kennisvraag-gesteld', 'kennisvraag-antwoord-gegeven',
                'kennisvraag-antwoord-geaccepteerd', 'kennisvraag-gesloten',
                'kennisvragen-gecombineerd', 'kennisdocument-gepubliceerd', 'succes-gemeld',
                'bijeenkomst-gepland', 'bijeenkomst-deelnemer-aangemeld',
                'bijeenkomst-aanwezigheid-geregistreerd', 'bijeenkomst-geevalueerd',
                'expert-geregistreerd');

-- Programme decisions (docs/rapportages.md, afspraken): the one subject 'programma', required
-- fields present, valid dates.
CREATE OR REPLACE TEMP TABLE programmafeit AS
WITH g AS (
    SELECT *,
        CASE soort WHEN 'programma-afspraak-vastgesteld'
             THEN ['afspraak', 'deadline', 'doel_percentage']
             ELSE ['bevoegd_gezag', 'doel', 'bedrag_euro'] END
        || ['ingangsdatum', 'besluit_id', 'besluitdatum', 'besluit_titel'] AS verplicht
    FROM gebeurtenis
    WHERE soort IN ('programma-afspraak-vastgesteld', 'programma-envelop-vastgesteld')
      AND onderwerp = 'programma'
)
SELECT positie, soort, vastgelegd, (vastgelegd AT TIME ZONE 'UTC')::DATE AS vastgelegd_dag, data,
       CAST(data ->> 'ingangsdatum' AS DATE) AS ingangsdatum,
       lpad(CAST(positie AS VARCHAR), 20, '0') AS volgorde
FROM g
WHERE list_bool_and([json_exists(data, '$."' || veld || '"') for veld in verplicht])
  AND try_cast(data ->> 'ingangsdatum' AS DATE) IS NOT NULL
  AND try_cast(data ->> 'besluitdatum' AS DATE) IS NOT NULL
  AND (soort <> 'programma-afspraak-vastgesteld' OR try_cast(data ->> 'deadline' AS DATE) IS NOT NULL);
