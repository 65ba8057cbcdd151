package names

import "testing"

func TestKeys(t *testing.T) {
	t.Parallel()
	for _, tt := range [][2]string{
		{"Mohammad", "محمد"}, {"Mohamed", "Muhammad"}, {"Haddad", "حداد"}, {"Abdullah", "عبدالله"},
		{"Abd al-Rahman", "عبد الرحمن"}, {"Abdulrahman", "Abd ar-Rahman"}, {"al-Hallak", "الحلاق"}, {"El-Hallak", "Hallak"},
		{"Youssef", "يوسف"}, {"Fatmeh", "فاطمة"}, {"Saleh", "صالح"}, {"Ghassan", "غسان"}, {"Gamal", "جمال"}, {"Mahmoud", "محمود"},
	} {
		if a, b := Key(tt[0]), Key(tt[1]); a != b {
			t.Errorf("Key(%q) = %q, Key(%q) = %q: want equal", tt[0], a, tt[1], b)
		}
	}
	if Key("Mahmoud") == Key("Mohammad") {
		t.Error("Mahmoud and Mohammad read as one name")
	}
}

func TestCompareNeverCertainOnGivenNameAlone(t *testing.T) {
	t.Parallel()
	s := Compare(Person{Name: "Mohammad al-Hallak"}, Person{Name: "محمد الخطيب"})
	if s.Score >= DefaultThreshold {
		t.Errorf("same given name, different family: %.2f %v", s.Score, s.Reasons)
	}
	s = Compare(Person{Name: "Mohammad bin Ahmad al-Hallak", Born: "1985"}, Person{Name: "محمد احمد الحلاق", Born: "1985-03-02"})
	if s.Score < DefaultThreshold {
		t.Errorf("one man in two scripts: %.2f %v", s.Score, s.Reasons)
	}
	t.Log(s.Reasons)
}

// Regression: fold shared one stateful transformer between calls, so two
// handlers matching names at once raced on it (and panicked). Compare is
// called from many goroutines here; run with -race to see any race.
func TestCompareConcurrently(t *testing.T) {
	want := Compare(Person{Name: "Hüseyin el-Hallak"}, Person{Name: "حسين الحلاق"})
	done := make(chan Score)
	for range 8 {
		go func() {
			var s Score
			for range 200 {
				s = Compare(Person{Name: "Hüseyin el-Hallak"}, Person{Name: "حسين الحلاق"})
			}
			done <- s
		}()
	}
	for range 8 {
		if s := <-done; s.Score != want.Score {
			t.Errorf("score %.3f from one goroutine, %.3f alone", s.Score, want.Score)
		}
	}
}
