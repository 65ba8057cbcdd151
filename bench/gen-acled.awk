# Generates an ACLED-format CSV of n rows (awk -v n=1000000 -f gen-acled.awk).
# Rows are synthetic but shaped like ACLED's Syria data: real town
# coordinates with jitter, real actor names, every event type, quoted
# notes with commas, and 3 rows in 200 deliberately bad (a bad date,
# a latitude out of range, or an unknown event type) so that the
# benchmark includes rejection.
BEGIN {
	srand(42)
	split("Duma,33.5717,36.4027,Rural Damascus;Harasta,33.5583,36.3651,Rural Damascus;Darayya,33.4583,36.2325,Rural Damascus;Madaya,33.6903,36.1035,Rural Damascus;Aleppo,36.2012,37.1612,Aleppo;Al Bab,36.3705,37.5157,Aleppo;Manbij,36.5281,37.9549,Aleppo;Afrin,36.5119,36.8695,Aleppo;Idlib,35.9306,36.6339,Idleb;Saraqib,35.8636,36.8058,Idleb;Khan Shaykhun,35.4421,36.6509,Idleb;Maarrat al Numan,35.6483,36.6769,Idleb;Homs,34.7268,36.7234,Homs;Palmyra,34.5624,38.2840,Homs;Hama,35.1318,36.7578,Hama;Deir ez Zor,35.3359,40.1408,Deir-ez-Zor;Raqqa,35.9528,39.0079,Ar-Raqqa;Hasakah,36.5024,40.7477,Al-Hasakeh;Daraa,32.6189,36.1021,Dar'a;Quneitra,33.1260,35.8246,Quneitra;Latakia,35.5317,35.7901,Lattakia;Damascus,33.5102,36.2913,Damascus", towns, ";")
	ntowns = length(towns)
	split("Military Forces of Syria (2000-)|Hezbollah|Islamic State (Syria)|Hayat Tahrir al Sham|Ahrar al Sham|Jaysh al Islam|Faylaq al Rahman|Military Forces of Russia (1991-)|Military Forces of Turkey (2016-)|QSD: Syrian Democratic Forces|Unidentified Armed Group (Syria)|Civilians (Syria)", actors, "|")
	nactors = length(actors)
	split("Battles|Armed clash;Battles|Government regains territory;Explosions/Remote violence|Air/drone strike;Explosions/Remote violence|Shelling/artillery/missile attack;Explosions/Remote violence|Remote explosive/landmine/IED;Violence against civilians|Attack;Violence against civilians|Abduction/forced disappearance;Protests|Peaceful protest;Strategic developments|Looting/property destruction;Strategic developments|Arrests", types, ";")
	ntypes = length(types)
	split("January,February,March,April,May,June,July,August,September,October,November,December", months, ",")
	print "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp"
	for (i = 1; i <= n; i++) {
		split(towns[int(rand() * ntowns) + 1], t, ",")
		split(types[int(rand() * ntypes) + 1], et, "|")
		a1 = actors[int(rand() * nactors) + 1]
		a2 = actors[int(rand() * nactors) + 1]
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
		printf "SYR%d,%s,%d,%d,Political violence,%s,%s,%s,,State forces,%s,,Rebel group,State forces-Rebel group,%s,760,Middle East,Syria,%s,,,%s,%s,%s,%d,SOHR; Local source,National,\"On %s, %s reported in %s, near the front line; %d killed, according to local sources.\",%d,,%d\n", \
			i, date, y, (i % 10 == 0) ? 2 : 1, et[1], et[2], a1, a2, civ, t[4], t[1], lat, lon, (i % 7 == 0) ? 2 : 1, \
			date, tolower(et[2]), t[1], fat, fat, 1483401600 + i
	}
}
