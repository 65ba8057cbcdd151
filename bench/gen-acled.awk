# Generates an ACLED-format CSV of n rows (awk -v n=1000000 -f gen-acled.awk).
# Rows are synthetic but shaped like ACLED's Syria data: real town
# coordinates with jitter, every event type, quoted notes with commas,
# and 3 rows in 200 deliberately bad (a bad date, a latitude out of range,
# or an unknown event type) so that the benchmark includes rejection.
#
# Actor names are written the ways ACLED writes them in its Syria data, so
# that the actor registry is measured against names as they are in the
# wild (internal/actor TestMeasureUnresolved; docs/actors.md):
#   - "ABBR: Name" for named groups ("HTS: Hayat Tahrir al Sham", "QSD:
#     Syrian Democratic Forces"), as the ACLED codebook prescribes
#     ("Names are abbreviated as an acronym in front of the proper name");
#   - state forces with the period of government, alone or with a unit
#     after it ("Military Forces of Syria (2000-) 4th Armored Division");
#   - generic labels ("Unidentified Armed Group (Syria)", "Militia
#     (Pro-Government)", "Allied Syrian and/or Russian Forces", "Civilians
#     (Syria)", ...) and associated actors describing civilians ("Women
#     (Syria)");
#   - a few names the registry does not hold, as a real file always has.
# The names are from a public list of ACLED Syria actors and public
# analyses of ACLED Syria data (see docs/actors.md). The weights are an
# estimate of their shares in ACLED's Syria data of 2017-2019 (state
# forces and unidentified groups dominate, civilians are the most frequent
# second actor), not a count: no ACLED file ships with truce.
BEGIN {
	srand(42)
	split("Duma,33.5717,36.4027,Rural Damascus;Harasta,33.5583,36.3651,Rural Damascus;Darayya,33.4583,36.2325,Rural Damascus;Madaya,33.6903,36.1035,Rural Damascus;Aleppo,36.2012,37.1612,Aleppo;Al Bab,36.3705,37.5157,Aleppo;Manbij,36.5281,37.9549,Aleppo;Afrin,36.5119,36.8695,Aleppo;Idlib,35.9306,36.6339,Idleb;Saraqib,35.8636,36.8058,Idleb;Khan Shaykhun,35.4421,36.6509,Idleb;Maarrat al Numan,35.6483,36.6769,Idleb;Homs,34.7268,36.7234,Homs;Palmyra,34.5624,38.2840,Homs;Hama,35.1318,36.7578,Hama;Deir ez Zor,35.3359,40.1408,Deir-ez-Zor;Raqqa,35.9528,39.0079,Ar-Raqqa;Hasakah,36.5024,40.7477,Al-Hasakeh;Daraa,32.6189,36.1021,Dar'a;Quneitra,33.1260,35.8246,Quneitra;Latakia,35.5317,35.7901,Lattakia;Damascus,33.5102,36.2913,Damascus", towns, ";")
	ntowns = length(towns)

	# Weighted pools: "weight|name" (weights are per mille of the column).
	pool("a1", "240|Military Forces of Syria (2000-);" \
		"15|Military Forces of Syria (2000-) Syrian Arab Air Force;" \
		"10|Military Forces of Syria (2000-) 4th Armored Division;" \
		"10|Military Forces of Syria (2000-) Tiger Paramilitary Forces (Qawat al Nimr);" \
		"5|Military Forces of Syria (2000-) Air Force Intelligence Directorate;" \
		"5|Military Forces of Syria (2000-) Military Intelligence;" \
		"5|Military Forces of Syria (2000-) 5th Assault Corps;" \
		"5|Police Forces of Syria (2000-);" \
		"3|Police Forces of Syria (2000-) Prison Guards;" \
		"90|Military Forces of Russia (2000-);" \
		"30|Allied Syrian and/or Russian Forces;" \
		"110|Unidentified Armed Group (Syria);" \
		"10|Unidentified Military Forces;" \
		"60|Opposition Rebels (Syria);" \
		"55|HTS: Hayat Tahrir al Sham;" \
		"65|Islamic State (Syria);" \
		"50|QSD: Syrian Democratic Forces;" \
		"5|QSD: Syrian Democratic Forces - Intelligence;" \
		"45|Military Forces of Turkey (2016-);" \
		"5|Military Forces of Turkey (2016-) Gendarmerie;" \
		"20|Global Coalition Against Daesh;" \
		"10|Islamist Militia (Syria);" \
		"12|Militia (Pro-Government);" \
		"5|Militia (Pro-Iran);" \
		"10|AAS: Ahrar al Sham;" \
		"5|FaR: Al Rahman Corps;" \
		"5|JaS: Levant Front;" \
		"8|QDW: National Defense Forces;" \
		"8|YPG: Peoples Protection Units;" \
		"3|TIP: Turkistan Islamic Party;" \
		"5|Hezbollah;" \
		"5|Military Forces of Israel (2009-);" \
		"5|Unidentified Clan Militia (Syria);" \
		"25|Protesters (Syria);" \
		"8|Rioters (Syria);" \
		"3|Jaysh al Izza;" \
		"3|Sultan Murad Division;" \
		"2|Former Opposition Rebels (Syria);" \
		"3|Saraya Qasioun;" \
		"3|Dar'a Popular Resistance;" \
		"2|Saraya Ansar al Sunna")
	pool("a2", "280|Civilians (Syria);" \
		"130|Opposition Rebels (Syria);" \
		"110|Military Forces of Syria (2000-);" \
		"10|Military Forces of Syria (2000-) 4th Armored Division;" \
		"10|Military Forces of Syria (2000-) Syrian Arab Air Force;" \
		"80|HTS: Hayat Tahrir al Sham;" \
		"60|Islamic State (Syria);" \
		"60|QSD: Syrian Democratic Forces;" \
		"40|Unidentified Armed Group (Syria);" \
		"25|Military Forces of Turkey (2016-);" \
		"20|AAS: Ahrar al Sham;" \
		"15|NLF: National Liberation Front;" \
		"15|Jaysh al Izza;" \
		"15|YPG: Peoples Protection Units;" \
		"10|Islamist Militia (Syria);" \
		"10|Militia (Pro-Government);" \
		"10|Military Forces of Russia (2000-);" \
		"10|QDW: National Defense Forces;" \
		"10|Hezbollah;" \
		"10|Militia (Pro-Iran);" \
		"10|FaR: Al Rahman Corps;" \
		"5|JaS: Levant Front;" \
		"5|Former Opposition Rebels (Syria);" \
		"5|Kurdish Ethnic Militia (Syria);" \
		"5|Wa Harredh al Moa'mineen;" \
		"5|Ansar al Tawhid;" \
		"5|Sultan Suleiman Shah Brigade (Syria);" \
		"5|Saraya Qasioun")
	# Associated actors: with state forces, their allies; with civilians,
	# ACLED's descriptors of who the civilians were.
	pool("gov", "500|Militia (Pro-Government);200|Military Forces of Russia (2000-);100|Hezbollah;100|Militia (Pro-Iran);100|QDW: National Defense Forces")
	pool("opp", "400|HTS: Hayat Tahrir al Sham;200|NLF: National Liberation Front;150|TIP: Turkistan Islamic Party;150|Jaysh al Izza;100|AAS: Ahrar al Sham")
	pool("civ", "400|Women (Syria);200|Refugees/IDPs (Syria);150|Health Workers (Syria);100|Journalists (Syria);100|Farmers (Syria);50|Teachers (Syria)")

	split("Battles|Armed clash;Battles|Government regains territory;Explosions/Remote violence|Air/drone strike;Explosions/Remote violence|Shelling/artillery/missile attack;Explosions/Remote violence|Remote explosive/landmine/IED;Violence against civilians|Attack;Violence against civilians|Abduction/forced disappearance;Protests|Peaceful protest;Strategic developments|Looting/property destruction;Strategic developments|Arrests", types, ";")
	ntypes = length(types)
	split("January,February,March,April,May,June,July,August,September,October,November,December", months, ",")
	print "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp"
	for (i = 1; i <= n; i++) {
		split(towns[int(rand() * ntowns) + 1], t, ",")
		split(types[int(rand() * ntypes) + 1], et, "|")
		a1 = pick("a1")
		a2 = pick("a2")
		as1 = ""
		as2 = ""
		if (a1 ~ /^(Military|Police) Forces of Syria/ && rand() < 0.25) as1 = pick("gov")
		if (a1 == "Opposition Rebels (Syria)" && rand() < 0.2) as1 = pick("opp")
		if (a2 == "Civilians (Syria)" && rand() < 0.15) as2 = pick("civ")
		if (as2 != "" && rand() < 0.2) as2 = as2 "; " pick("civ")
		m = int(rand() * 12) + 1
		d = int(rand() * 28) + 1
		y = 2016 + int(rand() * 4)
		date = sprintf("%02d %s %d", d, months[m], y)
		lat = sprintf("%.4f", t[2] + (rand() - 0.5) * 0.05)
		lon = sprintf("%.4f", t[3] + (rand() - 0.5) * 0.05)
		bad = int(rand() * 200)
		if (bad == 0) date = sprintf("%02d %s %d", 31, "February", y)
		if (bad == 1) lat = "95.1"
		if (bad == 2) et[1] = "Skirmish"
		fat = int(rand() * rand() * 20)
		civ = (et[1] == "Violence against civilians") ? "Civilian targeting" : ""
		printf "SYR%d,%s,%d,%d,Political violence,%s,%s,%s,%s,State forces,%s,%s,Rebel group,State forces-Rebel group,%s,760,Middle East,Syria,%s,,,%s,%s,%s,%d,SOHR; Local source,National,\"On %s, %s reported in %s, near the front line; %d killed, according to local sources.\",%d,,%d\n", \
			i, date, y, (i % 10 == 0) ? 2 : 1, et[1], et[2], a1, as1, a2, as2, civ, t[4], t[1], lat, lon, (i % 7 == 0) ? 2 : 1, \
			date, tolower(et[2]), t[1], fat, fat, 1483401600 + i
	}
}

# pool stores a weighted list "w|name;w|name" under key k as cumulative
# weights, for pick.
function pool(k, spec,    items, it, j, cum) {
	npool[k] = split(spec, items, ";")
	cum = 0
	for (j = 1; j <= npool[k]; j++) {
		split(items[j], it, "|")
		cum += it[1]
		pcum[k, j] = cum
		pname[k, j] = it[2]
	}
	ptotal[k] = cum
}

# pick draws one name from pool k in proportion to its weight.
function pick(k,    r, j) {
	r = rand() * ptotal[k]
	for (j = 1; j < npool[k]; j++)
		if (r < pcum[k, j]) break
	return pname[k, j]
}
