package extract

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
)

var pub = time.Date(2017, 1, 10, 9, 0, 0, 0, time.UTC) // a Tuesday

func has(facts []incident.TextFact, field, value, role string) bool {
	for _, f := range facts {
		if f.Field == field && f.Value == value && (role == "*" || f.Role == role || f.Field != FieldActor && f.Field != FieldInitiator) {
			return true
		}
	}
	return false
}

func dump(facts []incident.TextFact) string {
	var b strings.Builder
	for _, f := range facts {
		fmt.Fprintf(&b, "\n  %s %s %s %s %.2f %q [%s]", f.Field, f.Value, f.Role, f.Precision, f.Confidence, f.Quote, f.Rule)
	}
	return b.String()
}

// The spans are on the text's own bytes, whatever normalisation matched
// on: harakat, tatweel, Arabic-Indic digits, hamza forms, ZWNJ.
func TestSpansOnOriginalBytes(t *testing.T) {
	x := testExtractor(t)
	body := "قَصَفَتْ قـوات النظـام مدينةَ دُوما أمسِ، وقُتل ١٢ مدنياً بينهم ٣ أطفال."
	facts := x.Extract(Text{Body: body, Published: pub})
	if err := CheckSpans(body, facts); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ field, value, role string }{
		{FieldActor, "government-of-syria", RolePerpetrator},
		{FieldPlace, "SY030200", ""},
		{FieldDate, "2017-01-09", ""},
		{FieldKilled, "12", ""},
		{FieldCivilians, "12", ""},
		{FieldChildren, "3", ""},
	} {
		if !has(facts, want.field, want.value, want.role) {
			t.Errorf("no %s %s %s in%s", want.field, want.value, want.role, dump(facts))
		}
	}
	for _, f := range facts {
		if f.Field == FieldActor && f.Quote != "قـوات النظـام" {
			t.Errorf("actor quote %q", f.Quote)
		}
	}
	// Persian with its own digits and letters, and a zero-width non-joiner.
	body = "روز سه‌شنبه در شهر قامشلی ۵ غیرنظامی کشته شدند."
	facts = x.Extract(Text{Body: body, Published: pub})
	if err := CheckSpans(body, facts); err != nil {
		t.Fatal(err)
	}
	if !has(facts, FieldKilled, "5", "") || !has(facts, FieldDate, "2017-01-10", "") || !has(facts, FieldPlace, "SY080200", "") {
		t.Errorf("Persian:%s", dump(facts))
	}
}

// Nothing without a span, over every text of every labelled set.
func TestEveryFactHasItsSpan(t *testing.T) {
	x := testExtractor(t)
	for _, file := range []string{"ar.yaml", "ar-heldout.yaml", "en.yaml", "en-heldout.yaml", "ru.yaml", "ru-heldout.yaml", "tr.yaml", "tr-heldout.yaml", "fa.yaml", "fa-heldout.yaml"} {
		for _, s := range loadSet(t, file).Sentences {
			for _, lang := range []string{"", "en", "ar", "ru", "tr", "fa"} {
				facts := x.Extract(Text{Body: s.Text, Language: lang, Published: pub})
				if err := CheckSpans(s.Text, facts); err != nil {
					t.Errorf("%s %q (%s): %v", file, s.Text, lang, err)
				}
				for _, f := range facts {
					if f.Text != "" || f.Used || f.Conflict != "" {
						t.Errorf("%s: Text, Used and Conflict are the caller's: %+v", file, f)
					}
				}
			}
		}
	}
}

func TestGuessLanguage(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"Regime forces shelled Douma", "en"},
		{"قصفت قوات النظام مدينة دوما", "ar"},
		{"نیروهای ارتش سوریه شهر تدمر را گرفتند", "fa"},
		{"Сирийская армия вошла в Пальмиру", "ru"},
		{"Rejim güçleri İdlib'e saldırdı", "tr"},
		{"Şam'da patlama", "tr"},
		{"June 1st 2017: (S792a) صبيخان Sbeikhan, Eastern Deir Ezzor governorate, Syria", "en"},
		{"", "en"},
	} {
		if got := GuessLanguage(c.text); got != c.want {
			t.Errorf("GuessLanguage(%q) = %s, want %s", c.text, got, c.want)
		}
	}
}

func TestDates(t *testing.T) {
	x := testExtractor(t)
	damascus, err := time.LoadLocation("Asia/Damascus")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang, text string
		published  time.Time
		loc        *time.Location
		want, prec string // "" want: no date read
	}{
		{"en", "Clashes on 7 December 2016 in Aleppo", pub, nil, "2016-12-07", "day"},
		{"en", "Wednesday 07 December 2016 135 Civilians Killed", pub, nil, "2016-12-07", "day"},
		{"en", "Clashes on December 7, 2016", pub, nil, "2016-12-07", "day"},
		{"en", "Clashes on Dec. 7", pub, nil, "2016-12-07", "day"},
		{"en", "Clashes on 7th of December", pub, nil, "2016-12-07", "day"},
		{"en", "Report 2016-12-07", pub, nil, "2016-12-07", "day"},
		{"en", "Syria Daily Report 18/02/2016", pub, nil, "2016-02-18", "day"},
		{"en", "Syria Daily Report 12/18/2016", pub, nil, "2016-12-18", "day"},
		{"en", "Syria Daily Report 07/12/2016", pub, nil, "", ""},
		{"en", "Strikes resumed in December", pub, nil, "2016-12", "month"},
		{"en", "Strikes in December 2015", pub, nil, "2015-12", "month"},
		{"en", "Shelling on Tuesday", pub, nil, "2017-01-10", "day"},
		{"en", "Shelling on Monday night", pub, nil, "2017-01-09", "day"},
		{"en", "Shelling yesterday", pub, nil, "2017-01-09", "day"},
		{"en", "Shelling last night", pub, nil, "2017-01-09", "day"},
		{"en", "Shelling the day before yesterday", pub, nil, "2017-01-08", "day"},
		{"en", "Shelling today", pub, nil, "2017-01-10", "day"},
		// Published late on the 9th in UTC is already the 10th in Damascus.
		{"en", "Shelling today", time.Date(2017, 1, 9, 23, 30, 0, 0, time.UTC), damascus, "2017-01-10", "day"},
		{"en", "Shelling today", time.Date(2017, 1, 9, 23, 30, 0, 0, time.UTC), nil, "2017-01-09", "day"},
		// No publication time: the text's dateline stands in.
		{"en", "Sunday 3 Jul 2016 Shelling killed 43 on Saturday", time.Time{}, nil, "2016-07-02", "day"},
		{"en", "Shelling killed 43 on Saturday", time.Time{}, nil, "", ""},
		{"ar", "قصفت قوات النظام مدينة دوما أمس", pub, nil, "2017-01-09", "day"},
		{"ar", "غارات يوم الأحد", pub, nil, "2017-01-08", "day"},
		{"ar", "في 7 كانون الأول 2016", pub, nil, "2016-12-07", "day"},
		{"ar", "في 7 كانون الأول/ديسمبر 2016", pub, nil, "2016-12-07", "day"},
		{"ar", "في ١٨ شباط ٢٠١٦", pub, nil, "2016-02-18", "day"},
		{"ar", "أول أمس", pub, nil, "2017-01-08", "day"},
		{"ru", "вчера в Дамаске", pub, nil, "2017-01-09", "day"},
		{"ru", "во вторник", pub, nil, "2017-01-10", "day"},
		{"ru", "5 декабря 2016 года", pub, nil, "2016-12-05", "day"},
		{"ru", "отчет 07.12.2016", pub, nil, "2016-12-07", "day"},
		{"tr", "dün İdlib'de", pub, nil, "2017-01-09", "day"},
		{"tr", "Pazartesi günü", pub, nil, "2017-01-09", "day"},
		{"tr", "7 Aralık 2016", pub, nil, "2016-12-07", "day"},
		{"fa", "دیروز در حلب", pub, nil, "2017-01-09", "day"},
		{"fa", "در ۱۷ آذر ۱۳۹۵", pub, nil, "2016-12-07", "day"},
		{"fa", "۱۳۹۵/۰۹/۱۷", pub, nil, "2016-12-07", "day"},
	} {
		facts := x.Extract(Text{Body: c.text, Language: c.lang, Published: c.published, Location: c.loc})
		var got []string
		for _, f := range facts {
			if f.Field == FieldDate {
				got = append(got, f.Value+" "+f.Precision)
			}
		}
		want := c.want + " " + c.prec
		if c.want == "" {
			if len(got) > 0 {
				t.Errorf("%q: read %v, want no date", c.text, got)
			}
			continue
		}
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("%q: %v, want %s%s", c.text, got, want, dump(facts))
		}
	}
}

func TestJalali(t *testing.T) {
	for _, c := range []struct{ jy, jm, jd, gy, gm, gd int }{
		{1395, 9, 17, 2016, 12, 7},
		{1395, 1, 1, 2016, 3, 20},
		{1396, 1, 1, 2017, 3, 21},
		{1395, 10, 1, 2016, 12, 21},
		{1399, 1, 1, 2020, 3, 20},
		{1395, 12, 30, 2017, 3, 20}, // 1395 is a leap year
		{1396, 12, 30, 0, 0, 0},     // 1396 is not
		{1395, 7, 31, 0, 0, 0},      // Mehr has 30 days
	} {
		gy, gm, gd := jalaliToGregorian(c.jy, c.jm, c.jd)
		if gy != c.gy || gm != c.gm || gd != c.gd {
			t.Errorf("%d-%d-%d SH = %d-%d-%d, want %d-%d-%d", c.jy, c.jm, c.jd, gy, gm, gd, c.gy, c.gm, c.gd)
		}
	}
}

func TestPlaces(t *testing.T) {
	x := testExtractor(t)
	for _, c := range []struct {
		lang, text string
		want       []string // "VALUE PRECISION"; empty: no place read
	}{
		{"en", "Airstrikes on Idlib province", []string{"SY07 admin1"}},
		{"en", "Shelling in the countryside of Aleppo", []string{"SY02 admin1"}},
		{"en", "Shelling in the Damascus countryside", []string{"SY03 admin1"}},
		{"en", "Shelling on Douma", []string{"SY030200 exact"}},
		{"en", "Shelling near Douma", []string{"SY030200 near"}},
		{"en", "Shelling on Aleppo city", []string{"SY020000 exact"}},
		{"en", "Shelling on Aleppo", []string{"SY02 admin1"}},      // the town and the governorate: the governorate
		{"en", "Shelling in Damascus", []string{"SY010000 exact"}}, // the governorate is the city
		{"en", "Clashes in Talbiseh in Homs", []string{"SY040401 exact", "SY04 admin1"}},
		{"en", "Clashes around Talbiseh", []string{"SY040401 near"}},
		{"en", "Clashes in Eastern Ghouta", []string{"SY03 admin1"}},
		{"en", "Clashes in Wadi Barada", []string{"SY030702 admin3"}},
		{"en", "Clashes in Rural Damascus", []string{"SY03 admin1"}}, // governorate and district of the name: the governorate
		{"en", "Clashes in Dabban", nil},                             // found only by how it sounds: never proposed
		{"en", "Clashes in Mezzeh", nil},
		{"en", "Clashes in Syria", nil},
		{"ar", "غارات على ريف حلب الشمالي", []string{"SY02 admin1"}},
		{"ar", "قصف على ريف دمشق", []string{"SY03 admin1"}},
		{"ar", "قصف على محافظة إدلب", []string{"SY07 admin1"}},
		{"ar", "قصف على مدينة حلب", []string{"SY020000 exact"}},
		{"ar", "قصف في حلب", []string{"SY02 admin1"}},
		{"ar", "قصف على بلدتي سراقب وبنش", []string{"SY070003 exact", "SY070002 exact"}},
		{"ar", "قصف على سراقب وإدلب", []string{"SY070003 exact", "SY07 admin1"}},
		{"ar", "اشتباكات في وادي بردى", []string{"SY030702 admin3"}},
		{"ar", "اشتباكات في الحرب", nil},
		// Suran is a town in Aleppo and one in Hama: nothing is picked…
		{"ar", "اشتباكات في صوران", nil},
		// …unless the sentence names the governorate.
		{"ar", "اشتباكات في صوران بريف حماة", []string{"SY050101 exact", "SY05 admin1"}},
		{"ru", "в провинции Идлиб", []string{"SY07 admin1"}},
		{"ru", "в Дамаске", []string{"SY010000 exact"}},
		{"tr", "Halep kırsalında", []string{"SY02 admin1"}},
		{"tr", "El Bab'da", []string{"SY020200 exact"}},
		{"fa", "در استان ادلب", []string{"SY07 admin1"}},
	} {
		facts := x.Extract(Text{Body: c.text, Language: c.lang, Published: pub})
		var got []string
		for _, f := range facts {
			if f.Field == FieldPlace {
				got = append(got, f.Value+" "+f.Precision)
				if f.Confidence < 0.5 && !strings.Contains(f.Rule, "ambiguous") {
					t.Errorf("%q: a low confidence place without saying why: %+v", c.text, f)
				}
			}
		}
		if strings.Join(got, ";") != strings.Join(c.want, ";") {
			t.Errorf("%q: places %v, want %v%s", c.text, got, c.want, dump(facts))
		}
	}
}

func TestRolesAndCounts(t *testing.T) {
	x := testExtractor(t)
	for _, c := range []struct {
		lang, text string
		want       []string // "FIELD VALUE ROLE"
		not        []string
	}{
		{"en", "Regime forces shelled rebels in Hama", []string{"actor government-of-syria perpetrator", "actor syrian-insurgents target"}, nil},
		{"en", "Rebels were shelled by regime forces", []string{"actor government-of-syria perpetrator", "actor syrian-insurgents target"}, nil},
		{"en", "clashes between ISIS and the SDF", []string{"actor islamic-state side_a", "actor syrian-democratic-forces side_b"}, nil},
		{"en", "ISIS launched an attack on the SDF", []string{"initiator islamic-state perpetrator", "actor syrian-democratic-forces target"}, nil},
		{"en", "Rebels shelled Mhardeh in response to regime airstrikes", []string{"initiator government-of-syria perpetrator"}, nil},
		{"en", "areas controlled by the YPG were shelled", nil, []string{"actor ypg perpetrator"}},
		{"en", "Rebel-held Douma was shelled", nil, []string{"actor syrian-insurgents perpetrator"}},
		{"en", "The regime denied shelling Douma", nil, []string{"act shelling ", "actor government-of-syria perpetrator"}},
		{"en", "at least 135 civilians were killed", []string{"killed 135 ", "civilians 135 "}, nil},
		{"en", "killing 4 and wounding 10", []string{"killed 4 ", "wounded 10 "}, nil},
		{"en", "4 Killed, 43 Injured in Rocket Attacks", []string{"killed 4 ", "wounded 43 "}, nil},
		{"en", "30 people killed and wounded", nil, []string{"killed 30 ", "wounded 30 "}},
		{"en", "About 60 thousand were killed in 2016", []string{"killed 60000 "}, []string{"killed 2016 "}},
		{"en", "a 24-hour truce", nil, []string{"killed 24 "}},
		{"ar", "قتل 12 مدنياً بينهم 3 أطفال", []string{"killed 12 ", "civilians 12 ", "children 3 "}, nil},
		{"ar", "مقتل ٥ عناصر من قوات النظام", []string{"killed 5 ", "actor government-of-syria target"}, nil},
		{"ar", "اشتباكات بين قوات النظام والفصائل", []string{"actor government-of-syria side_a", "actor syrian-insurgents side_b"}, nil},
		{"ar", "استهدف الطيران الروسي بلدة كفرنبل", []string{"actor government-of-russia perpetrator", "act airstrike "}, nil},
		{"ar", "شنت قوات النظام هجوماً على دوما", []string{"initiator government-of-syria perpetrator"}, nil},
		{"ar", "سقوط 20 قتيلاً وجريحاً", nil, []string{"killed 20 "}},
		{"ar", "قتلى وجرحى في قصف على داريا", nil, nil},
	} {
		facts := x.Extract(Text{Body: c.text, Language: c.lang, Published: pub})
		got := map[string]bool{}
		for _, f := range facts {
			got[f.Field+" "+f.Value+" "+f.Role] = true
		}
		for _, w := range c.want {
			if !got[w] {
				t.Errorf("%q: no %q in%s", c.text, w, dump(facts))
			}
		}
		for _, n := range c.not {
			if got[n] {
				t.Errorf("%q: read %q%s", c.text, n, dump(facts))
			}
		}
	}
}

// Abbreviations of the registry match only in capitals: "is" is a verb.
func TestAbbreviationsInCapitals(t *testing.T) {
	x := testExtractor(t)
	facts := x.Extract(Text{Body: "The situation is calm and IS fighters left", Language: "en"})
	n := 0
	for _, f := range facts {
		if f.Field == FieldActor && f.Value == "islamic-state" {
			n++
			if f.Quote != "IS fighters" {
				t.Errorf("quote %q", f.Quote)
			}
		}
	}
	if n > 1 {
		t.Errorf("%d Islamic State facts:%s", n, dump(facts))
	}
}

func TestLexiconsValidated(t *testing.T) {
	testExtractor(t)
	lexs, err := loadLexicons()
	if err != nil {
		t.Fatal(err)
	}
	bad := *lexs["en"]
	bad.Acts = append([]ActEntry{{Phrase: "mortar fire", Act: "mortaring"}}, bad.Acts...)
	bad.Actors = append([]ActorEntry{{Phrase: "the goodies", Actor: "no-such-actor"}}, bad.Actors...)
	bad.Places.Names = map[string]string{"Atlantis": "SY99"}
	_, err = NewWith(shared.places, shared.actors, map[string]*Lexicon{"en": &bad})
	if err == nil {
		t.Fatal("a lexicon naming unknown acts, actors and P-codes was taken")
	}
	for _, want := range []string{`"mortaring" is not an act type`, `"no-such-actor" is not an actor id`, `"SY99" is not a P-code`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %s", err, want)
		}
	}
	if _, err := LoadLexicon(strings.NewReader("language: en\norder: svo\npossessor: before\nfoo: 1\n"), "x.yaml"); err == nil {
		t.Error("an unknown field was taken")
	}
	if _, err := LoadLexicon(strings.NewReader("language: en\norder: osv\npossessor: before\n"), "x.yaml"); err == nil {
		t.Error("an unknown word order was taken")
	}
	if _, err := New(nil, nil); err == nil {
		t.Error("New without a gazetteer")
	}
}

// One Extractor serves all goroutines (go test -race).
func TestConcurrent(t *testing.T) {
	x := testExtractor(t)
	texts := []string{
		"قصفت قوات النظام مدينة دوما أمس ما أدى إلى مقتل 12 مدنياً",
		"Russian warplanes struck Saraqib in Idlib province yesterday, killing 5",
		"Сирийская армия нанесла удар по позициям боевиков в провинции Идлиб вчера.",
	}
	want := make([]int, len(texts))
	for i, s := range texts {
		want[i] = len(x.Extract(Text{Body: s, Published: pub}))
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				k := i % len(texts)
				if n := len(x.Extract(Text{Body: texts[k], Published: pub})); n != want[k] {
					t.Errorf("text %d: %d facts, then %d", k, want[k], n)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestBest(t *testing.T) {
	facts := []incident.TextFact{
		{Field: FieldDate, Value: "2016-12-07", Confidence: 0.95},
		{Field: FieldDate, Value: "2016-12-06", Confidence: 0.85},
		{Field: FieldPlace, Value: "SY07", Confidence: 0.9},
	}
	if f, ok := Best(facts, FieldDate); !ok || f.Value != "2016-12-07" {
		t.Errorf("Best date: %v %v", f, ok)
	}
	if _, ok := Best(facts, FieldKilled); ok {
		t.Error("Best of a field not read")
	}
}
