#!/usr/bin/env python3
# Writes pairs.tsv, the evaluation set of the name matcher (TestEvaluation).
# Written for truce's tests: the people are invented; the spellings are the
# ways lists really write such names (hand-listed below, in both scripts,
# including spellings the matcher's own table does not hold, marked *).
# Run: python3 gen_pairs.py > pairs.tsv   (seeded: the output is stable)
import random

random.seed(18)

# given names: Latin spellings, Arabic spelling
GIVEN = {
    "muhammad": (["Mohammad", "Muhammad", "Mohamed", "Mohammed", "Mouhamad*", "Muhamed*"], "محمد"),
    "mahmud": (["Mahmoud", "Mahmud", "Mahmood"], "محمود"),
    "ahmad": (["Ahmad", "Ahmed", "Ahmet"], "أحمد"),
    "mustafa": (["Mustafa", "Moustafa", "Mostafa", "Mustapha"], "مصطفى"),
    "yusuf": (["Youssef", "Yusuf", "Yousef", "Yousif"], "يوسف"),
    "uthman": (["Othman", "Uthman", "Osman"], "عثمان"),
    "umar": (["Omar", "Umar", "Omer"], "عمر"),
    "ali": (["Ali", "Aly"], "علي"),
    "hasan": (["Hassan", "Hasan"], "حسن"),
    "husayn": (["Hussein", "Husein", "Hussain", "Hussien*"], "حسين"),
    "khalid": (["Khaled", "Khalid", "Khaleed*"], "خالد"),
    "ibrahim": (["Ibrahim", "Ebrahim", "Ibraheem"], "إبراهيم"),
    "walid": (["Walid", "Waleed", "Oualid"], "وليد"),
    "jamal": (["Jamal", "Gamal", "Djamal"], "جمال"),
    "bashar": (["Bashar", "Bachar"], "بشار"),
    "ayman": (["Ayman", "Aiman"], "أيمن"),
    "iyad": (["Iyad", "Eyad", "Ayad"], "إياد"),
    "ziyad": (["Ziad", "Ziyad", "Zeyad"], "زياد"),
    "usama": (["Osama", "Usama", "Oussama"], "أسامة"),
    "hamza": (["Hamza", "Hamzah"], "حمزة"),
    "tariq": (["Tarek", "Tariq", "Tareq"], "طارق"),
    "abd al-rahman": (["Abd al-Rahman", "Abdulrahman", "Abdelrahman", "Abd ar-Rahman", "Abdurrahman"], "عبد الرحمن"),
    "abd allah": (["Abdullah", "Abdallah", "Abd Allah*"], "عبدالله"),
    "ghassan": (["Ghassan", "Ghasan*"], "غسان"),
    "nizar": (["Nizar", "Nezar*"], "نزار"),
    "radwan": (["Radwan", "Redwan*", "Ridwan*"], "رضوان"),
    "fatima": (["Fatima", "Fatma", "Fatmeh"], "فاطمة"),
    "zaynab": (["Zainab", "Zeinab", "Zaynab"], "زينب"),
    "maryam": (["Maryam", "Mariam"], "مريم"),
    "layla": (["Layla", "Leila", "Laila"], "ليلى"),
}

FAMILY = {
    "hallak": (["al-Hallak", "el-Hallak", "Hallak", "Hallaq", "Al Hallak"], "الحلاق"),
    "khatib": (["al-Khatib", "el-Khatib", "Khateeb*", "Khatib"], "الخطيب"),
    "haddad": (["Haddad", "al-Haddad", "Hadad*"], "الحداد"),
    "masri": (["al-Masri", "el-Masry*", "Masri"], "المصري"),
    "shami": (["al-Shami", "ash-Shami", "Chami*", "Shami"], "الشامي"),
    "qassab": (["Qassab", "Kassab", "al-Qassab"], "القصاب"),
    "hamwi": (["al-Hamwi", "Hamwi", "el-Hamoui*"], "الحموي"),
    "darwish": (["Darwish", "Derwish*", "Darwich*"], "درويش"),
    "sabbagh": (["Sabbagh", "Sabagh*", "al-Sabbagh"], "الصباغ"),
    "kurdi": (["al-Kurdi", "Kurdi", "Kurdy*"], "الكردي"),
    "homsi": (["al-Homsi", "Homsi", "el-Homsi"], "الحمصي"),
    "zoubi": (["al-Zoubi", "Zoubi", "Zu'bi*", "Zubi*"], "الزعبي"),
    "jaber": (["Jaber", "Jabir", "Djaber*"], "جابر"),
    "mansour": (["Mansour", "Mansur", "Mansoor"], "منصور"),
    "sulayman": (["Suleiman", "Sulaiman", "Sleiman*"], "سليمان"),
    "khoury": (["Khoury", "Khouri", "el-Khoury"], "الخوري"),
    "halabi": (["al-Halabi", "Halabi", "Halaby*"], "الحلبي"),
    "rifai": (["al-Rifai", "Rifai", "Refai*"], "الرفاعي"),
    "attar": (["al-Attar", "Attar", "Attar"], "العطار"),
    "nahhas": (["al-Nahhas", "Nahhas", "Nahas*"], "النحاس"),
    "tayyan": (["Tayyan", "al-Tayyan", "Tayan*"], "الطيان"),
    "bakkour": (["Bakkour", "Bakour*"], "بكور"),
    "najjar": (["al-Najjar", "Najjar", "Nadjar*"], "النجار"),
    "saadi": (["al-Saadi", "Saadi", "Sa'adi*"], "السعدي"),
}

PLACES = [("Douma", "دوما"), ("Harasta", "حرستا"), ("Madaya", "مضايا"), ("Homs", "حمص"), ("Aleppo", "حلب"),
          ("Daraa", "درعا"), ("Idlib", "إدلب"), ("Hama", "حماة"), ("Zabadani", "الزبداني"), ("Saqba", "سقبا")]

def latin(options):
    return random.choice(options).rstrip("*")

def person():
    g = random.choice(list(GIVEN))
    f = random.choice(list(FAMILY))
    father = random.choice([None, None, random.choice(list(GIVEN))])
    y = random.randint(1950, 2005)
    born = "%d-%02d-%02d" % (y, random.randint(1, 12), random.randint(1, 28))
    place = random.choice(PLACES)
    return dict(g=g, f=f, father=father, born=born, place=place)

def write(p, script, patronymic=None):
    if script == "ar":
        parts = [GIVEN[p["g"]][1]]
        if p["father"] and patronymic is not False:
            parts.append(GIVEN[p["father"]][1])
        parts.append(FAMILY[p["f"]][1])
        return " ".join(parts)
    parts = [latin(GIVEN[p["g"]][0])]
    if p["father"] and patronymic is not False:
        fa = latin(GIVEN[p["father"]][0])
        parts.append(random.choice(["bin " + fa, "ibn " + fa, fa]))
    parts.append(latin(FAMILY[p["f"]][0]))
    return " ".join(parts)

def born_of(p, mode):
    if mode == "none":
        return ""
    if mode == "year":
        return p["born"][:4]
    return p["born"]

def place_of(p, script, keep):
    if not keep:
        return ""
    return p["place"][1] if script == "ar" else p["place"][0]

rows = []

def add(label, a, b, note):
    rows.append((label,) + a + b + (note,))

def side(p, script, born_mode, with_place, patronymic=None):
    return (write(p, script, patronymic), born_of(p, born_mode), place_of(p, script, with_place))

# True pairs: one person written twice.
for i in range(170):
    p = person()
    sa = "lat"
    sb = random.choice(["ar", "ar", "ar", "lat"])
    ma = random.choice(["full", "year", "none"])
    mb = random.choice(["full", "none", "year"])
    a = side(p, sa, ma, random.random() < 0.5)
    b = side(p, sb, mb, random.random() < 0.5, patronymic=random.choice([None, None, False]))
    note = "same person, %s/%s" % (sa, sb)
    if random.random() < 0.08 and ma != "none" and mb != "none":
        # a slip of one year in one list
        y = int(p["born"][:4]) + 1
        b = (b[0], str(y), b[2])
        note += ", birth year off by one"
    if random.random() < 0.12:
        # a typing slip: one letter of the Latin family name dropped
        words = a[0].split(" ")
        w = words[-1]
        if len(w) > 5:
            k = random.randint(2, len(w) - 2)
            words[-1] = w[:k] + w[k + 1:]
            a = (" ".join(words), a[1], a[2])
            note += ", a letter dropped"
    add(1, a, b, note)

# Hard negatives: the same common given name, another family.
for i in range(70):
    p = person()
    q = dict(p)
    q["f"] = random.choice([f for f in FAMILY if f != p["f"]])
    q["born"] = person()["born"]
    q["place"] = random.choice(PLACES)
    q["father"] = random.choice([None, random.choice(list(GIVEN))])
    add(0, side(p, "lat", random.choice(["full", "none"]), random.random() < 0.5),
        side(q, random.choice(["ar", "lat"]), random.choice(["full", "none", "year"]), random.random() < 0.5),
        "same given name, different family")

# Hard negatives: the same family, another given name (brothers, cousins).
for i in range(50):
    p = person()
    q = dict(p)
    q["g"] = random.choice([g for g in GIVEN if g != p["g"]])
    if random.random() < 0.3:
        q["g"] = "mahmud" if p["g"] == "muhammad" else "muhammad"
    q["born"] = person()["born"]
    add(0, side(p, "lat", random.choice(["full", "none"]), random.random() < 0.5),
        side(q, random.choice(["ar", "lat"]), random.choice(["full", "none"]), random.random() < 0.5),
        "same family, different given name")

# Hard negatives: namesakes, the same full name born years apart.
for i in range(30):
    p = person()
    q = dict(p)
    y = int(p["born"][:4]) + random.choice([-1, 1]) * random.randint(4, 25)
    q["born"] = "%d-%s" % (y, p["born"][5:])
    q["place"] = random.choice(PLACES)
    add(0, side(p, "lat", "full", random.random() < 0.5), side(q, random.choice(["ar", "lat"]), random.choice(["full", "year"]), random.random() < 0.5),
        "namesakes born years apart")

# Easy negatives: two people at random.
for i in range(30):
    p, q = person(), person()
    if p["g"] == q["g"] or p["f"] == q["f"]:
        continue
    add(0, side(p, "lat", "full", True), side(q, random.choice(["ar", "lat"]), "full", True), "unrelated")

print("# The name matcher's evaluation set, written for truce's tests by gen_pairs.py (seeded);")
print("# invented people, real spelling habits. Columns: label (1 same person, 0 not), then for")
print("# each side name, born, place; then a note.")
for r in rows:
    print("\t".join(str(c) for c in r))
