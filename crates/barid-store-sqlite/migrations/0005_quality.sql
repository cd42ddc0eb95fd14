-- Quality of service (issue 7), kept up to date in the transactions that record events.
--
-- `item_quality` holds each item's timeline (the first time of each milestone on its outbound
-- leg, and the return-to-sender decision) as JSON, with what lists and drill-downs filter on:
-- the posting date (a Julian day number, local to the counter), the outcome, and the last step.
CREATE TABLE item_quality (
    operator TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    s10 TEXT NOT NULL,
    origin_country TEXT NOT NULL,
    destination_country TEXT NOT NULL,
    -- The S10 service indicator (EE, RR, CP...): the item's service.
    service TEXT NOT NULL,
    posted_day INTEGER,
    outcome TEXT NOT NULL CHECK (outcome IN ('not_posted', 'open', 'delivered', 'returned')),
    last_milestone TEXT,
    last_at_utc INTEGER,
    timeline TEXT NOT NULL,
    PRIMARY KEY (operator, item_id),
    FOREIGN KEY (operator, item_id) REFERENCES items (operator, id)
) STRICT;
CREATE INDEX item_quality_route ON item_quality
    (operator, origin_country, destination_country, posted_day, item_id);
CREATE INDEX item_quality_stuck ON item_quality
    (operator, origin_country, destination_country, outcome, last_at_utc);

-- What the items contribute to the figures, in calendar dates (see barid-core quality::counts):
-- items posted on `posted_day` whose `metric` ran from `start_day` to `end_day`. Working days,
-- verdicts and overdue items are worked out on reading, with the calendars and targets of the
-- day, so nothing here goes stale when they change.
CREATE TABLE quality_counts (
    operator TEXT NOT NULL,
    origin_country TEXT NOT NULL,
    destination_country TEXT NOT NULL,
    service TEXT NOT NULL,
    posted_day INTEGER NOT NULL,
    metric TEXT NOT NULL,
    start_day INTEGER NOT NULL,
    end_day INTEGER NOT NULL,
    items INTEGER NOT NULL,
    seconds INTEGER NOT NULL,
    PRIMARY KEY (operator, origin_country, destination_country, service, posted_day, metric,
        start_day, end_day)
) STRICT;

-- Each post's working days, as the operator of this node knows them: its own and its
-- partners'. A country with no row has the default weekend (barid-core WorkingCalendar).
CREATE TABLE working_calendars (
    operator TEXT NOT NULL REFERENCES operators (code),
    country TEXT NOT NULL,
    -- JSON array of weekday names, e.g. ["friday","saturday"].
    weekend TEXT NOT NULL,
    -- JSON array of ISO dates.
    holidays TEXT NOT NULL,
    updated_at_utc INTEGER NOT NULL,
    PRIMARY KEY (operator, country)
) STRICT;
