#!/usr/bin/env bash
# How docdict/v1.json was made (2026-12-01), for the record: the file must
# never change (docs.go), so this is not to be run again over it. Documents
# as truce stored them at commit dd8e1a5, one a line, newlines removed:
# every ruling, incident and report of the ACLED test fixture; of the shared
# UCDP GED file 12 rulings (4 of each verdict), 8 incidents and 11 reports.
# The file stays under S2's 64 KiB limit for a dictionary.
set -euo pipefail
truce=${TRUCE:-truce}
ag=internal/bundled/data/agreements/syria-coh-2016.yaml
t=$(mktemp -d)
for db in f u; do "$truce" agreement load -db "$t/$db.db" "$ag" > /dev/null; done
"$truce" import acled -db "$t/f.db" internal/importer/acled/testdata/events.csv > /dev/null
"$truce" import ucdp -db "$t/u.db" ../shared/data/ucdp-ged-syria/ucdp_ged_syria_2016_2019.csv > /dev/null
{
	sqlite3 "$t/f.db" "select doc from rulings order by incident_id"
	sqlite3 "$t/u.db" "select doc from rulings where verdict='violation' and incident_id % 40 = 0 limit 4;
		select doc from rulings where verdict='undetermined' and incident_id % 300 = 7 limit 4;
		select doc from rulings where verdict='not_violation' and incident_id % 1000 = 3 limit 4;"
	sqlite3 "$t/f.db" "select doc from incidents order by id"
	sqlite3 "$t/u.db" "select doc from incidents where id % 1500 = 11 limit 8"
	sqlite3 "$t/f.db" "select doc from reports order by id"
	sqlite3 "$t/u.db" "select doc from reports where id % 1100 = 5 limit 11"
} | tr -d '\n'
rm -rf "$t"
