package names

// variantGroups are common given names (and a few family names) of the
// region as lists write them: the canonical form first, then spellings in
// Latin letters (English, French and Turkish habits) and in Arabic script
// (without vowel marks or hamza seats, as fold leaves them). Written for
// truce from common usage; a name missing here is still matched, by its
// skeleton.
var variantGroups = [][]string{
	{"muhammad", "mohammad", "mohammed", "mohamed", "mohamad", "muhammed", "muhamad", "mohammod", "mouhammad", "mohamet", "mehmet", "mehmed", "mhd", "mohd", "muhd", "محمد"},
	{"mahmud", "mahmoud", "mahmood", "mahmut", "محمود"},
	{"ahmad", "ahmed", "ahmet", "ehmad", "احمد"},
	{"hamid", "hamed", "hameed", "حامد"},
	{"hamad", "حمد"},
	{"mustafa", "moustafa", "mostafa", "mustapha", "moustapha", "mustafah", "مصطفى"},
	{"yusuf", "youssef", "yousef", "yousif", "yusef", "yousuf", "youcef", "يوسف"},
	{"uthman", "othman", "osman", "usman", "outhman", "عثمان"},
	{"umar", "omar", "omer", "amr", "عمر"},
	{"amr", "عمرو"},
	{"ali", "aly", "علي"},
	{"hassan", "hasan", "hassane", "حسن"},
	{"husayn", "hussein", "husein", "hussain", "houssein", "hüseyin", "huseyin", "حسين"},
	{"khalid", "khaled", "halid", "خالد"},
	{"ibrahim", "ebrahim", "brahim", "ibraheem", "abraham", "ابراهيم"},
	{"ismail", "ismael", "esmail", "ismaeel", "اسماعيل"},
	{"said", "saeed", "saed", "sa'id", "سعيد"},
	{"saad", "sa'ad", "saad", "سعد"},
	{"salih", "saleh", "salah", "صالح"},
	{"salah", "salaheddine", "صلاح"},
	{"abd allah", "abdullah", "abdallah", "abdulla", "abdellah"},
	{"walid", "waleed", "oualid", "ualid", "وليد"},
	{"khalil", "halil", "khaleel", "خليل"},
	{"jamal", "gamal", "djamal", "cemal", "جمال"},
	{"jamil", "jameel", "gamil", "cemil", "جميل"},
	{"nasir", "nasser", "naser", "nacer", "ناصر"},
	{"nasr", "nasser", "نصر"},
	{"faisal", "faysal", "feisal", "فيصل"},
	{"fadi", "fady", "فادي"},
	{"rami", "ramy", "رامي"},
	{"sami", "samy", "سامي"},
	{"samir", "sameer", "سمير"},
	{"bashar", "bachar", "بشار"},
	{"bashir", "basheer", "bachir", "بشير"},
	{"ayman", "aiman", "eyman", "ايمن"},
	{"iyad", "eyad", "ayad", "اياد"},
	{"ziyad", "ziad", "zeyad", "زياد"},
	{"anas", "enes", "انس"},
	{"usama", "osama", "oussama", "ousama", "اسامة"},
	{"hamza", "hamzah", "hamze", "حمزة"},
	{"yasin", "yassin", "yaseen", "yassine", "ياسين"},
	{"yahya", "yehia", "yahia", "يحيى"},
	{"musa", "moussa", "mousa", "musa", "موسى"},
	{"isa", "issa", "eissa", "عيسى"},
	{"abd al-rahman", "abdulrahman", "abdelrahman", "abdurrahman", "abdalrahman"},
	{"abd al-qadir", "abdulkader", "abdelkader", "abdulqadir", "abdelkader"},
	{"tariq", "tarek", "tarik", "tareq", "طارق"},
	{"majid", "maged", "majed", "magid", "ماجد"},
	{"marwan", "merwan", "مروان"},
	{"muhannad", "mohannad", "mouhannad", "مهند"},
	{"mazin", "mazen", "مازن"},
	{"adnan", "adnane", "عدنان"},
	{"imad", "emad", "imed", "عماد"},
	{"ihab", "ehab", "ايهاب"},
	{"ammar", "amar", "عمار"},
	{"qasim", "kassem", "qassem", "kasim", "قاسم"},
	{"jihad", "jehad", "gehad", "جهاد"},
	{"fatima", "fatma", "fatimah", "fatmeh", "fatme", "فاطمة"},
	{"aisha", "aysha", "aicha", "aishah", "ayse", "عائشة", "عايشة"},
	{"maryam", "mariam", "meryem", "مريم"},
	{"zaynab", "zainab", "zeinab", "zeynep", "زينب"},
	{"khadija", "khadeeja", "hatice", "خديجة"},
	{"nur", "nour", "noor", "نور"},
	{"rima", "reema", "rim", "ريما"},
	{"huda", "houda", "hoda", "هدى"},
	{"layla", "leila", "laila", "leyla", "ليلى"},
	{"sara", "sarah", "سارة"},
	{"amina", "aminah", "emine", "امينة"},
	{"hala", "هالة"},
	{"rasha", "racha", "رشا"},
}

// canonical maps each folded spelling to its canonical form.
var canonical = func() map[string]string {
	m := map[string]string{}
	for _, g := range variantGroups {
		for _, v := range g {
			// A spelling in two groups (amr, nasser) stays with the
			// first: the more common reading.
			k := fold(v)
			if _, taken := m[k]; !taken {
				m[k] = g[0]
			}
		}
	}
	return m
}()
