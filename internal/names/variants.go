package names

// variantGroups are common given names (and a few family names) of the
// region as lists write them: the canonical form first, then spellings in
// Latin letters (English, French and Turkish habits) and in Arabic script
// (without vowel marks or hamza seats, as fold leaves them). Written for
// truce from common usage; a name missing here is still matched, by its
// skeleton. Two names in the table are one name or two whatever their
// letters: Amer (ʿĀmir) and Ammar differ only where transliterations
// disagree (e for a, one m for two), so only the table tells them apart;
// ʿAmr is not ʿUmar.
var variantGroups = [][]string{
	{"muhammad", "mohammad", "mohammed", "mohamed", "mohamad", "muhammed", "muhamad", "mohammod", "mouhammad", "mohamet", "mehmet", "mehmed", "mhd", "mohd", "muhd", "محمد"},
	{"mahmud", "mahmoud", "mahmood", "mahmut", "محمود"},
	{"ahmad", "ahmed", "ahmet", "ehmad", "احمد"},
	{"hamid", "hamed", "hameed", "حامد"},
	{"hamad", "حمد"},
	{"mustafa", "moustafa", "mostafa", "mustapha", "moustapha", "mustafah", "مصطفى"},
	{"yusuf", "youssef", "yousef", "yousif", "yusef", "yousuf", "youcef", "يوسف"},
	{"uthman", "othman", "osman", "usman", "outhman", "عثمان"},
	{"umar", "omar", "omer", "ömer", "عمر"},
	{"amr", "amru", "عمرو"}, // ʿAmr is its own name, not a spelling of ʿUmar
	{"ali", "aly", "علي"},
	{"hassan", "hasan", "hassane", "حسن"},
	{"husayn", "hussein", "husein", "hussain", "houssein", "hüseyin", "huseyin", "حسين"},
	{"khalid", "khaled", "halid", "خالد"},
	{"ibrahim", "ebrahim", "brahim", "ibraheem", "abraham", "ibragim", "ibraghim", "ابراهيم"},
	{"ismail", "ismael", "esmail", "ismaeel", "اسماعيل"},
	{"said", "saeed", "saed", "sa'id", "sait", "سعيد"},
	{"saad", "sa'ad", "saad", "سعد"},
	{"salih", "saleh", "صالح"},
	{"salah", "selah", "صلاح"},
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
	{"tariq", "tarek", "tarik", "tareq", "طارق"},
	{"majid", "maged", "majed", "magid", "ماجد"},
	{"marwan", "merwan", "مروان"},
	{"muhannad", "mohannad", "mouhannad", "مهند"},
	{"mazin", "mazen", "مازن"},
	{"adnan", "adnane", "عدنان"},
	{"imad", "emad", "imed", "عماد"},
	{"ihab", "ehab", "ايهاب"},
	{"ammar", "amar", "عمار"},
	{"amir", "ameer", "emir", "امير"},
	{"amer", "aamer", "عامر"},
	{"amin", "ameen", "emin", "امين"},
	{"diya", "dia", "diaa", "ziya", "ضياء", "ضيا"},
	{"rida", "reda", "ridha", "riza", "رضا"},
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

// abdCores are the second elements of "servant of" names (Abd al-Rahman,
// Abdelkader, عبد الرحيم): a closed list of the names of God, each a name
// of its own, so that Rahman and Rahim, Qadir, Qahir and Karim, Aziz and
// Hafiz are told apart whatever their letters share. Without the article.
var abdCores = [][]string{
	{"allah", "lah", "la", "llah", "lla", "ullah", "الله", "له"},
	{"rahman", "rahmane", "rakhman", "رحمن"},
	{"rahim", "raheem", "rahime", "رحيم"},
	{"qadir", "qader", "kader", "kadir", "kadr", "قادر"},
	{"qahir", "kaher", "qaher", "kahir", "قاهر"},
	{"karim", "kareem", "krim", "kerim", "كريم"},
	{"aziz", "azeez", "عزيز"},
	{"hafiz", "hafez", "hafeez", "حافظ"},
	{"salam", "selam", "slam", "سلام"},
	{"sattar", "satar", "ستار"},
	{"jalil", "jaleel", "jelil", "celil", "جليل"},
	{"jabbar", "jabar", "cebbar", "جبار"},
	{"hamid", "hameed", "hamed", "حميد"},
	{"majid", "majeed", "mejid", "مجيد"},
	{"latif", "lateef", "letif", "لطيف"},
	{"halim", "haleem", "حليم"},
	{"hakim", "hakeem", "حكيم"},
	{"ghani", "ghany", "غني"},
	{"wahhab", "wahab", "وهاب"},
	{"razzaq", "razzak", "razak", "rezzak", "رزاق"},
	{"fattah", "fatah", "fettah", "فتاح"},
	{"wahid", "wahed", "واحد"},
	{"basit", "basset", "باسط"},
	{"muttalib", "mutalib", "مطلب"},
	{"nasir", "naser", "nasser", "ناصر"},
	{"malik", "malek", "مالك"},
	{"munim", "moneim", "monem", "منعم"},
	{"ilah", "elah", "اله"},
	{"rauf", "raouf", "رءوف", "رؤوف", "روف"},
	{"ghafur", "ghafour", "غفور"},
	{"mawla", "mola", "مولى"},
	{"jawad", "jawwad", "جواد"},
	{"halim", "حليم"},
	{"muin", "moein", "معين"},
}

// coreCanonical maps each folded spelling of an Abd compound's second
// element to its canonical form.
var coreCanonical = groupsMap(abdCores)

// canonical maps each folded spelling to its canonical form.
var canonical = groupsMap(variantGroups)

func groupsMap(groups [][]string) map[string]string {
	m := map[string]string{}
	for _, g := range groups {
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
}
