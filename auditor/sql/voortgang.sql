-- docs/rapportages.md, voortgang.
WITH st AS (SELECT * FROM stand($peildatum, $kennisdatum, $positie)),
statussen AS (
    SELECT * FROM (VALUES (1, 'potentieel-spoed'), (2, 'onderzocht'), (3, 'ernstig-spoed'),
        (4, 'ernstig-geen-spoed'), (5, 'niet-ernstig'), (6, 'saneringsplan'),
        (7, 'sanering-gestart'), (8, 'tijdelijke-beveiliging'), (9, 'gesaneerd'),
        (10, 'beheerst'), (11, 'nazorg')) t(i, status)
), per_status AS (
    SELECT s.i, s.status, count(st.locatie) AS n
    FROM statussen s LEFT JOIN st ON st.status = s.status GROUP BY ALL
), risicotypen AS (
    SELECT * FROM (VALUES (1, 'humaan'), (2, 'ecologisch'), (3, 'verspreiding')) t(i, r)
), per_risico AS (
    SELECT t.i, t.r, count(st.locatie) AS totaal, aantal(st.afgehandeld) AS afgehandeld
    FROM risicotypen t LEFT JOIN st ON st.bevestigd AND list_contains(st.risicotypes, t.r)
    GROUP BY ALL
), jaren AS (
    SELECT j, least(make_date(CAST(j AS INTEGER), 12, 31), CAST($peildatum AS DATE)) AS eind
    FROM range(2010, least(2020, year(CAST($peildatum AS DATE))) + 1) t(j)
), per_jaar AS (
    SELECT j.j, aantal(st.registratiedatum <= j.eind) AS geregistreerd,
           aantal(st.afgehandeld_op <= j.eind) AS afgehandeld,
           aantal(st.humaan AND st.afgehandeld_op <= j.eind) AS humaan
    FROM jaren j LEFT JOIN st ON true GROUP BY ALL
)
SELECT json_object(
    'samenvatting', (SELECT samenvatting(bevestigd, afgehandeld, humaan, knelpunt, budget, kosten) FROM st),
    'perStatus', (SELECT kaart(list(struct_pack(k := status, v := n) ORDER BY i)) FROM per_status),
    'perRisicotype', (SELECT kaart(list(struct_pack(k := r, v := json_object('totaal', totaal, 'afgehandeld', afgehandeld)) ORDER BY i)) FROM per_risico),
    'doelen', (SELECT doelen FROM doelen($peildatum, $kennisdatum, $positie)),
    'perJaar', (SELECT lijst(list(json_object('jaar', j, 'geregistreerd', geregistreerd,
                    'afgehandeld', afgehandeld, 'humaanAfgehandeld', humaan) ORDER BY j)) FROM per_jaar)
) AS inhoud;
