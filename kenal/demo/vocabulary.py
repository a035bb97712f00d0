"""The words the demo data is made of: names, products and messages, in Bahasa
Indonesia and English.

This is sample content shown as data, like a customer's own records, so it is not
marked for translation: a message a customer wrote in Indonesian stays in Indonesian
whatever the user's interface language."""

from __future__ import annotations

BUSINESS = "Sentosa"

FIRST_NAMES_ID = [
    "Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Putri", "Rizky", "Fajar", "Ayu", "Indah", "Wahyu",
    "Yusuf", "Nur", "Dian", "Eko", "Fitri", "Hendra", "Intan", "Joko", "Kartika", "Lestari", "Made",
    "Nyoman", "Ketut", "Wayan", "Gede", "Komang", "Teguh", "Bambang", "Sri", "Ratna", "Sari", "Taufik",
    "Hadi", "Yoga", "Bayu", "Citra", "Dimas", "Galih", "Hana", "Irfan", "Jihan", "Kevin", "Lukman",
    "Mega", "Nanda", "Oki", "Prasetyo", "Reza", "Salsabila", "Tari", "Umar", "Vina", "Wulan", "Yanti",
    "Zaki", "Anisa", "Bagus", "Cahya", "Desi", "Erlangga", "Farah", "Gilang", "Hesti", "Ilham", "Januar",
]
LAST_NAMES_ID = [
    "Pratama", "Saputra", "Wijaya", "Santoso", "Kusuma", "Hidayat", "Nugroho", "Setiawan", "Siregar",
    "Nasution", "Simanjuntak", "Harahap", "Lubis", "Sihombing", "Rahman", "Hakim", "Purnomo", "Susanto",
    "Gunawan", "Halim", "Tanjung", "Wibowo", "Permana", "Sulistyo", "Anggraini", "Rahmawati", "Kurniawan",
    "Utami", "Maharani", "Hutapea", "Pangaribuan", "Suryadi", "Firmansyah", "Ramadhan", "Syahputra",
]
# Many Indonesians go by one name.
SINGLE_NAMES_ID = ["Suparman", "Sukarni", "Paijo", "Ngatini", "Suwarno", "Tukiyem", "Mulyono", "Sumarni"]
FIRST_NAMES_EN = [
    "Emily", "James", "Sarah", "Michael", "Olivia", "Daniel", "Chloe", "Liam", "Hannah", "Lucas",
    "Akira", "Priya", "Wei Ling", "Thomas", "Grace", "Oliver", "Sophie", "Ethan", "Mia", "Noah",
]
LAST_NAMES_EN = [
    "Carter", "Wilson", "Thompson", "Brown", "Hughes", "Evans", "Martin", "O'Connor", "Schmidt", "Moreau",
    "Tanaka", "Nair", "Tan", "Walker", "Bennett", "Fischer", "Kowalski", "Lee", "Murphy", "Clarke",
]
EMAIL_DOMAINS = ["gmail.com", "yahoo.co.id", "outlook.com", "gmail.com", "ymail.com", "icloud.com"]
MOBILE_PREFIXES = ["0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858", "0877", "0878", "0895", "0896"]

# (name, language, domain) of the agency's corporate clients and prospects.
ORGANISATIONS = [
    ("PT Sinar Nusantara Logistik", "id", "sinarnusantara.co.id"),
    ("PT Bumi Hijau Agro", "id", "bumihijau.co.id"),
    ("CV Karya Mandiri Sejahtera", "id", "karyamandiri.id"),
    ("PT Samudra Teknologi Indonesia", "id", "samudratek.id"),
    ("Yayasan Pendidikan Cahaya Bangsa", "id", "cahayabangsa.sch.id"),
    ("PT Nusa Properti Abadi", "id", "nusaproperti.co.id"),
    ("Koperasi Sejahtera Bersama", "id", "kopsejahtera.id"),
    ("PT Mitra Kesehatan Prima", "id", "mitrakesehatan.co.id"),
    ("PT Garuda Pangan Lestari", "id", "garudapangan.co.id"),
    ("PT Rajawali Konstruksi", "id", "rajawalikonstruksi.co.id"),
    ("PT Anugerah Tekstil Bandung", "id", "anugerahtekstil.co.id"),
    ("CV Dapur Nenek Catering", "id", "dapurnenek.id"),
    ("PT Lentera Media Kreatif", "id", "lenteramedia.id"),
    ("PT Bahari Perikanan Timur", "id", "bahariperikanan.co.id"),
    ("Pacific Rim Trading Pte Ltd", "en", "pacificrim.sg"),
    ("Northwind Energy Indonesia", "en", "northwind-energy.com"),
    ("Blue Lotus Hospitality", "en", "bluelotushotels.com"),
    ("Harbourline Shipping Ltd", "en", "harbourline.co.uk"),
    ("Evergreen Clinics Asia", "en", "evergreenclinics.asia"),
    ("PT Cipta Digital Solusi", "id", "ciptadigital.id"),
    ("PT Sumber Energi Surya", "id", "sumberenergisurya.co.id"),
    ("Brightpath Learning", "en", "brightpath.edu"),
]

# (name, language, scope) of organisations that buy in bulk to sell on; "internal" are
# the business's own branches.
RESELLERS = [
    ("Toko Kopi Makmur", "id", "intermediate"),
    ("CV Aroma Nusantara Distribusi", "id", "intermediate"),
    ("Bean There Distributors", "en", "intermediate"),
    ("Warung Kopi Pak Slamet", "id", "intermediate"),
    ("Koperasi Karyawan Sinar Jaya", "id", ""),
    ("UD Berkah Grosir", "id", ""),
    ("Minimarket Sehati", "id", ""),
    ("Island Roasters Supply", "en", ""),
    ("Toko Oleh-Oleh Khas Bandung", "id", ""),
    (f"Kopi {BUSINESS} Cabang Bandung", "id", "internal"),
    (f"Kopi {BUSINESS} Cabang Surabaya", "id", "internal"),
    (f"Kopi {BUSINESS} Kios Bandara", "id", "internal"),
]

# (sku, Indonesian name, English name, kind, unit price in rupiah). The menu shows the
# names of MENU_IN_ENGLISH in English, as many Indonesian cafés do.
COUNTER_PRODUCTS = [
    ("KOPI-SUSU-AREN", "Es Kopi Susu Gula Aren", "Palm Sugar Iced Coffee", "goods", 28000),
    ("AMERICANO", "Americano", "Americano", "goods", 30000),
    ("CAPPUCCINO", "Cappuccino", "Cappuccino", "goods", 35000),
    ("CAFFE-LATTE", "Kafe Latte", "Caffè Latte", "goods", 38000),
    ("MATCHA-LATTE", "Matcha Latte", "Matcha Latte", "goods", 42000),
    ("V60-GAYO", "Kopi Seduh V60 Gayo", "Gayo V60 Pour-over", "goods", 45000),
    ("COLD-BREW-1L", "Cold Brew Botol 1 Liter", "Cold Brew Bottle 1 L", "goods", 60000),
    ("CROISSANT", "Croissant Mentega", "Butter Croissant", "goods", 32000),
    ("ROTI-BAKAR", "Roti Bakar Cokelat Keju", "Chocolate Cheese Toast", "goods", 25000),
    ("PISANG-GORENG", "Pisang Goreng Madu", "Honey Fried Banana", "goods", 25000),
]
RETAIL_PRODUCTS = [
    ("BIJI-GAYO-250", "Biji Kopi Arabika Gayo 250 g", "Gayo Arabica Beans 250 g", "goods", 145000),
    ("BIJI-TORAJA-250", "Biji Kopi Toraja Sapan 250 g", "Toraja Sapan Beans 250 g", "goods", 160000),
    ("BIJI-KINTAMANI-250", "Biji Kopi Kintamani 250 g", "Kintamani Beans 250 g", "goods", 135000),
    ("DRIP-BAG-10", "Kopi Drip Bag isi 10", "Drip Bags, pack of 10", "goods", 95000),
    ("TUMBLER", f"Tumbler {BUSINESS} 500 ml", f"{BUSINESS} Tumbler 500 ml", "goods", 185000),
    ("HAMPERS", "Parsel Kopi Nusantara", "Nusantara Coffee Gift Hamper", "goods", 350000),
]
SERVICE_PRODUCTS = [
    ("KELAS-SEDUH", "Kelas Seduh Manual", "Manual Brewing Class", "service", 250000),
    ("KONSULTASI-1J", "Konsultasi Hukum 1 Jam", "One-hour Legal Consultation", "professional_service", 1500000),
]
MENU_IN_ENGLISH = {"CAPPUCCINO", "CAFFE-LATTE", "MATCHA-LATTE", "COLD-BREW-1L", "CROISSANT", "TUMBLER"}
# What resellers and branches buy, in dozens.
BULK_SKUS = ["BIJI-GAYO-250", "BIJI-TORAJA-250", "BIJI-KINTAMANI-250", "DRIP-BAG-10", "COLD-BREW-1L"]
GIFT_SKUS = ["HAMPERS", "TUMBLER", "BIJI-GAYO-250", "KELAS-SEDUH", "DRIP-BAG-10"]
PROMO_CODES = ["HEMAT10", "GAJIAN25", "KOPIPAGI", "TEMANBARU", "MERDEKA17", "WEEKEND15"]
FREE_EXTRA_CODES = ["GRATISTOPPING", "UPSIZE"]

# (Indonesian title, English title, tier, monthly value in rupiah)
AGREEMENT_KINDS = [
    ("Retainer hukum korporat", "Corporate legal retainer", "premium", 25000000),
    ("Pendampingan pajak dan akuntansi", "Tax and accounting advisory", "standard", 15000000),
    ("Kepatuhan ketenagakerjaan", "Employment compliance programme", "standard", 18000000),
    ("Pengelolaan portofolio merek dagang", "Trademark portfolio management", "premium", 20000000),
    ("Pendampingan perizinan usaha", "Business licensing support", "standard", 15000000),
    ("Penasihat hukum direksi", "Board legal counsel", "enterprise", 45000000),
]

PERSONAL_AGREEMENT = ("Penasihat hukum pribadi dan keluarga", "Personal and family legal counsel", "standard", 7500000)

RELATIONS_ID = ["istri", "suami", "ibu", "ayah", "kakak", "adik"]
RELATIONS_EN = ["wife", "husband", "mother", "father", "sister", "brother"]

# Messages by (language, kind). {product} and {first} are filled in.
SHOP_MESSAGES = {
    ("id", "question"): [
        "Halo kak, {product} masih ada stok?",
        "Hari Minggu buka sampai jam berapa ya?",
        "Bisa pesan {product} diantar ke kantor di Sudirman?",
        "Ada promo kalau beli {product} lebih dari satu?",
        "Kak, {product} itu manis banget nggak ya?",
        "Bisa bayar pakai QRIS?",
    ],
    ("en", "question"): [
        "Hi, is the {product} still available?",
        "What time do you close on Sundays?",
        "Can you deliver {product} to an office in Kuningan?",
        "Any discount if I buy two {product}?",
        "Do you take card payments?",
    ],
    ("id", "complaint"): [
        "Pesanan saya kemarin kurang satu {product}, tolong dicek ya.",
        "{product} sampai sudah dingin, agak kecewa.",
        "Antreannya lama sekali tadi pagi.",
    ],
    ("en", "complaint"): [
        "My order yesterday was missing one {product}.",
        "The {product} arrived cold, a bit disappointed.",
        "The queue this morning was very long.",
    ],
    ("id", "feedback"): [
        "Terima kasih, {product}-nya enak banget!",
        "Pelayanannya ramah, pasti balik lagi.",
        "{product} favorit saya, jangan sampai dihapus dari menu ya.",
    ],
    ("en", "feedback"): [
        "Loved the {product}, thank you!",
        "Friendly staff, I'll be back.",
        "The {product} is my favourite, please keep it on the menu.",
    ],
    ("id", "message"): [
        "Terima kasih sudah mampir, {first}! Pakai kode HEMAT10 untuk kunjungan berikutnya.",
        "Halo {first}, {product} favoritmu sudah tersedia lagi.",
        "Pesanan {product} sudah siap diambil ya, kak.",
    ],
    ("en", "message"): [
        "Thanks for visiting, {first}! Use code HEMAT10 on your next visit.",
        "Hi {first}, your favourite {product} is back in stock.",
        "Your {product} is ready for pickup.",
    ],
    ("id", "call"): ["Menelepon untuk pesan {product} dalam jumlah banyak.", "Konfirmasi pesanan {product} lewat telepon."],
    ("en", "call"): ["Called to order {product} in bulk.", "Confirmed the {product} order by phone."],
    ("id", "meeting"): ["Mampir ke kedai, ngobrol soal biji kopi baru.", "Datang ke kedai dan mencicipi {product}."],
    ("en", "meeting"): ["Dropped by the shop to talk about new beans.", "Came in to taste the {product}."],
}

CLIENT_MESSAGES = {
    ("id", "question"): [
        "Mohon kirimkan draf perjanjian kerja sama yang terbaru.",
        "Apakah ada perubahan aturan PPN yang perlu kami antisipasi?",
        "Bisa dijadwalkan rapat evaluasi bulan ini?",
        "Berapa estimasi biaya untuk pendaftaran merek baru?",
    ],
    ("en", "question"): [
        "Could you review the supplier contract before Friday?",
        "Do the new tax rules affect our transfer pricing?",
        "Can we schedule this month's review meeting?",
        "What would a new trademark filing cost?",
    ],
    ("id", "complaint"): ["Laporan bulan lalu terlambat dikirim.", "Tagihan bulan ini belum sesuai kesepakatan."],
    ("en", "complaint"): ["Last month's report arrived late.", "This month's invoice does not match what we agreed."],
    ("id", "feedback"): ["Terima kasih atas pendampingannya, prosesnya lancar.", "Tim sangat membantu saat audit kemarin."],
    ("en", "feedback"): ["Thank you for the support, it went smoothly.", "Your team was a great help during the audit."],
    ("id", "message"): [
        "Berikut kami lampirkan ringkasan perkembangan perkara bulan ini.",
        "Pengingat: dokumen perpanjangan izin perlu ditandatangani minggu ini.",
        "Halo {first}, kami kirimkan usulan lingkup kerja untuk tahun depan.",
    ],
    ("en", "message"): [
        "Please find attached this month's case summary.",
        "Reminder: the licence renewal documents need signing this week.",
        "Hi {first}, here is our proposed scope of work for next year.",
    ],
    ("id", "call"): ["Telepon: membahas jadwal rapat evaluasi bulanan.", "Telepon: klarifikasi klausul ganti rugi di kontrak."],
    ("en", "call"): ["Call: discussed the monthly review schedule.", "Call: clarified the indemnity clause."],
    ("id", "meeting"): ["Rapat di kantor klien membahas perpanjangan kontrak.", "Pertemuan triwulanan dengan direksi."],
    ("en", "meeting"): ["Meeting at the client's office about the renewal.", "Quarterly meeting with the board."],
}

DEMO_STAFF = [
    # (username, first name, last name, role)
    ("rina.wijaya", "Rina", "Wijaya", "manager"),
    ("dimas.pratama", "Dimas", "Pratama", "csm"),
    ("ayu.lestari", "Ayu", "Lestari", "csm"),
    ("budi.santoso", "Budi", "Santoso", "sales"),
    ("sari.handayani", "Sari", "Handayani", "support"),
]
