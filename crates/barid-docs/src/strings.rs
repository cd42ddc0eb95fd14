//! Every fixed caption printed on Barid's documents, in English and Arabic, in one place.
//!
//! Postal documents between Arabic-speaking posts are bilingual: each caption carries its
//! English text (the UPU working language customs and transit posts read) and its Arabic text.
//! The English wording follows the UPU forms (CN 22, CN 23, and the office-of-exchange forms
//! CN 31 to CN 43); field numbers in brackets are the forms' own. In the Arabic, an item is a
//! «إرسالية», a dispatch a «رسالة بريدية» (the UPU's Arabic for a closed mail) and a receptacle a
//! «كيس», so the two never read alike.

use barid_core::{ContentCategory, CountryCode, Discrepancy, MailCategory, MailClass, S10Service};

/// A text in English and in Arabic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bilingual<'a> {
    pub en: &'a str,
    pub ar: &'a str,
}

impl<'a> Bilingual<'a> {
    pub const fn new(en: &'a str, ar: &'a str) -> Self {
        Self { en, ar }
    }
}

/// The usual name of a service, from the S10 service indicator's range (EMS, registered,
/// parcel...). The web layer may pass its own names instead.
pub fn service_name(service: S10Service) -> Bilingual<'static> {
    match service {
        S10Service::Ems => Bilingual::new("EMS", "البريد السريع"),
        S10Service::Registered => Bilingual::new("Registered", "بريد مسجل"),
        S10Service::Tracked => Bilingual::new("Tracked", "بريد متتبع"),
        S10Service::Insured => Bilingual::new("Insured", "بريد مؤمن عليه"),
        S10Service::OtherLetterPost => Bilingual::new("Letter post", "بريد الرسائل"),
        S10Service::MBag => Bilingual::new("M bag", "كيس م"),
        S10Service::Parcel => Bilingual::new("Parcel", "طرد بريدي"),
        S10Service::EcommerceParcel => Bilingual::new("E-commerce parcel", "طرد تجارة إلكترونية"),
        S10Service::Ibrs => Bilingual::new("IBRS", "الرد التجاري الدولي"),
        S10Service::DomesticOrBilateral => Bilingual::new("Domestic", "بريد محلي"),
        S10Service::Unassigned => Bilingual::new("Postal item", "إرسالية بريدية"),
    }
}

/// The name of a content category as ticked on a CN 22 or CN 23.
pub(crate) fn category_name(category: ContentCategory) -> Bilingual<'static> {
    match category {
        ContentCategory::Gift => Bilingual::new("Gift", "هدية"),
        ContentCategory::Documents => Bilingual::new("Documents", "مستندات"),
        ContentCategory::CommercialSample => Bilingual::new("Commercial sample", "عينة تجارية"),
        ContentCategory::ReturnedGoods => Bilingual::new("Returned goods", "بضائع مرتجعة"),
        ContentCategory::SaleOfGoods => Bilingual::new("Sale of goods", "بيع بضائع"),
        ContentCategory::Other => Bilingual::new("Other", "أخرى"),
    }
}

type B = Bilingual<'static>;

// --- shared ---------------------------------------------------------------------------------
pub(crate) const FROM: B = B::new("FROM", "المرسل");
pub(crate) const TO: B = B::new("TO", "المرسل إليه");
pub(crate) const TEL: B = B::new("Tel.", "هاتف");
pub(crate) const ORIGIN: B = B::new("Origin", "بلد الإيداع");
pub(crate) const DESTINATION: B = B::new("Destination", "بلد المقصد");
pub(crate) const WEIGHT: B = B::new("Weight", "الوزن");
pub(crate) const POSTAGE: B = B::new("Postage", "أجرة البريد");
pub(crate) const DATE: B = B::new("Date", "التاريخ");
pub(crate) const CUSTOMS: B = B::new("Customs", "الجمارك");
pub(crate) const NO_CUSTOMS: B = B::new("None", "لا يوجد");
pub(crate) const SERVICE: B = B::new("Service", "الخدمة");

// --- customs declarations -------------------------------------------------------------------
pub(crate) const CUSTOMS_DECLARATION: B = B::new("CUSTOMS DECLARATION", "إقرار جمركي");
pub(crate) const MAY_BE_OPENED: B = B::new("May be opened officially", "يجوز فتحها رسمياً");
pub(crate) const DESIGNATED_OPERATOR: B = B::new("Designated operator", "المشغل المعين");
pub(crate) const EXPLANATION: B = B::new("Explanation", "توضيح");
pub(crate) const NAME: B = B::new("Name", "الاسم");
pub(crate) const BUSINESS: B = B::new("Business", "المنشأة");
pub(crate) const ADDRESS: B = B::new("Street", "العنوان");
pub(crate) const POSTCODE: B = B::new("Postcode", "الرمز البريدي");
pub(crate) const CITY: B = B::new("City", "المدينة");
pub(crate) const COUNTRY: B = B::new("Country", "البلد");
pub(crate) const PHONE_EMAIL: B = B::new("Tel. / E-mail", "الهاتف / البريد الإلكتروني");
pub(crate) const SENDER_REFERENCE: B = B::new(
    "Sender's customs reference (if any)",
    "المرجع الجمركي للمرسل (إن وجد)",
);
pub(crate) const IMPORTER_REFERENCE: B = B::new(
    "Importer's reference (tax code / VAT no. / importer code)",
    "مرجع المستورد (الرقم الضريبي / رقم المستورد)",
);
pub(crate) const CN22_DESCRIPTION: B = B::new(
    "(1) Quantity and detailed description of contents",
    "الكمية والوصف التفصيلي للمحتويات",
);
pub(crate) const CN23_DESCRIPTION: B = B::new(
    "(1) Detailed description of contents",
    "الوصف التفصيلي للمحتويات",
);
pub(crate) const QUANTITY: B = B::new("(2) Quantity", "الكمية");
pub(crate) const CN22_WEIGHT: B = B::new("(2) Weight (kg)", "الوزن (كغ)");
pub(crate) const CN23_NET_WEIGHT: B = B::new("(3) Net weight (kg)", "الوزن الصافي (كغ)");
pub(crate) const CN22_VALUE: B = B::new("(3) Value", "القيمة");
pub(crate) const CN23_VALUE: B = B::new("(5) Value", "القيمة");
pub(crate) const CN22_HS: B = B::new("(4) HS tariff number", "رقم التعريفة المنسقة");
pub(crate) const CN23_HS: B = B::new("(7) HS tariff number", "رقم التعريفة المنسقة");
pub(crate) const CN22_ORIGIN: B = B::new("(5) Country of origin of goods", "بلد منشأ البضائع");
pub(crate) const CN23_ORIGIN: B = B::new("(8) Country of origin of goods", "بلد منشأ البضائع");
pub(crate) const CN22_TOTAL_WEIGHT: B = B::new("(6) Total weight (kg)", "الوزن الإجمالي (كغ)");
pub(crate) const CN22_TOTAL_VALUE: B = B::new("(7) Total value", "القيمة الإجمالية");
pub(crate) const CN23_GROSS_WEIGHT: B =
    B::new("(4) Total gross weight (kg)", "الوزن الإجمالي القائم (كغ)");
pub(crate) const CN23_TOTAL_VALUE: B = B::new("(6) Total value", "القيمة الإجمالية");
pub(crate) const POSTAL_CHARGES: B = B::new("(9) Postal charges/Fees", "الرسوم البريدية");
pub(crate) const CN22_POSTAL_CHARGES: B = B::new("Postal charges/Fees", "الرسوم البريدية");
pub(crate) const CN22_COMMENTS: B = B::new("Comments", "ملاحظات");
pub(crate) const CN23_CATEGORY: B = B::new("(10) Category of item", "فئة الإرسالية");
pub(crate) const COMMENTS: B = B::new(
    "(11) Comments: e.g. goods subject to quarantine, sanitary/phytosanitary inspection or other restrictions",
    "ملاحظات: مثل بضائع خاضعة للحجر الصحي أو للفحص الصحي والنباتي أو لقيود أخرى",
);
pub(crate) const LICENCE: B = B::new("Licence", "ترخيص");
pub(crate) const CERTIFICATE: B = B::new("Certificate", "شهادة");
pub(crate) const INVOICE: B = B::new("Invoice", "فاتورة");
pub(crate) const LICENCE_NUMBERS: B = B::new("(12) Licence No(s).", "أرقام التراخيص");
pub(crate) const CERTIFICATE_NUMBERS: B = B::new("(13) Certificate No(s).", "أرقام الشهادات");
pub(crate) const INVOICE_NUMBER: B = B::new("(14) Invoice No.", "رقم الفاتورة");
pub(crate) const CN22_DOCUMENTS: B = B::new(
    "Licence / Certificate / Invoice No(s).",
    "أرقام الترخيص / الشهادة / الفاتورة",
);
pub(crate) const OFFICE_OF_ORIGIN: B = B::new(
    "Office of origin / Date of posting",
    "مكتب الإيداع / تاريخ الإيداع",
);
pub(crate) const CERTIFICATION: B = B::new(
    "I certify that the particulars given in this customs declaration are correct and that this \
     item does not contain any dangerous article or articles prohibited by legislation or by \
     postal or customs regulations.",
    "أشهد بأن البيانات الواردة في هذا الإقرار الجمركي صحيحة وأن هذه الإرسالية لا تحتوي على أي مادة \
     خطرة أو مواد محظورة بموجب التشريعات أو اللوائح البريدية أو الجمركية.",
);
pub(crate) const CN22_SIGNATURE: B =
    B::new("(8) Date and sender's signature", "التاريخ وتوقيع المرسل");
pub(crate) const CN23_SIGNATURE: B =
    B::new("(15) Date and sender's signature", "التاريخ وتوقيع المرسل");
pub(crate) const CONTINUED: B = B::new("Continued on the next page", "تابع في الصفحة التالية");
pub(crate) const CONTINUATION: B = B::new("Continuation sheet", "ورقة تكملة");
pub(crate) const PAGE: B = B::new("Page", "صفحة");

// --- acceptance receipt ---------------------------------------------------------------------
pub(crate) const RECEIPT: B = B::new("ACCEPTANCE RECEIPT", "إيصال قبول");
pub(crate) const POSTAGE_PAID: B = B::new("Postage paid", "الأجرة المدفوعة");
pub(crate) const ACCEPTING_OFFICE: B = B::new("Accepting office", "مكتب القبول");
pub(crate) const ACCEPTED_AT: B = B::new("Accepted at", "وقت القبول");
pub(crate) const TRACK: B = B::new(
    "Track your item with its number at",
    "تتبع إرساليتك برقمها على",
);
pub(crate) const KEEP_RECEIPT: B = B::new(
    "Keep this receipt: you need it for any enquiry.",
    "احتفظ بهذا الإيصال: ستحتاجه لأي استفسار.",
);

// --- office of exchange: shared -------------------------------------------------------------
pub(crate) const ORIGIN_OE: B = B::new("Office of exchange of origin", "مكتب التبادل المرسل");
pub(crate) const DESTINATION_OE: B = B::new(
    "Office of exchange of destination",
    "مكتب التبادل المرسل إليه",
);
pub(crate) const DISPATCH: B = B::new("Dispatch (S8)", "الرسالة البريدية (S8)");
pub(crate) const DISPATCH_NUMBER: B = B::new("Dispatch no.", "رقم الرسالة البريدية");
pub(crate) const CLOSED_AT: B = B::new("Date of closing", "تاريخ الإقفال");
pub(crate) const MAIL_CATEGORY: B = B::new("Category", "الفئة");
pub(crate) const MAIL_SUBCLASS: B = B::new("Subclass / class", "الفئة الفرعية / الصنف");
pub(crate) const ROUTE: B = B::new("Route", "المسار");
pub(crate) const DIRECT: B = B::new("Direct", "مباشر");
pub(crate) const CLOSED_TRANSIT_VIA: B = B::new("Closed transit via", "عبور مغلق عبر");
pub(crate) const VIA: B = B::new("Via", "عبر");
pub(crate) const RECEPTACLE_ID: B = B::new("Receptacle ID (S9)", "رقم الكيس (S9)");
pub(crate) const RECEPTACLE_NO: B = B::new("Receptacle no.", "رقم الكيس");
pub(crate) const SERIAL: B = B::new("No.", "رقم");
pub(crate) const REGISTERED_FLAG: B = B::new("R", "مسجل");
pub(crate) const GROSS_WEIGHT_KG: B = B::new("Gross weight (kg)", "الوزن القائم (كغ)");
pub(crate) const WEIGHT_KG: B = B::new("Weight (kg)", "الوزن (كغ)");
pub(crate) const ITEMS: B = B::new("Items", "الإرساليات");
pub(crate) const REGISTERED_ITEMS: B = B::new("Registered items", "الإرساليات المسجلة");
pub(crate) const RECEPTACLES: B = B::new("Receptacles", "الأكياس");
pub(crate) const TOTAL_RECEPTACLES: B = B::new("Number of receptacles", "عدد الأكياس");
pub(crate) const TOTAL_WEIGHT_KG: B = B::new("Total weight (kg)", "الوزن الإجمالي (كغ)");
pub(crate) const TOTAL_ITEMS: B = B::new("Number of items", "عدد الإرساليات");
pub(crate) const TOTAL_REGISTERED: B =
    B::new("Number of registered items", "عدد الإرساليات المسجلة");
pub(crate) const DISPATCHING_OFFICER: B = B::new(
    "Dispatching office of exchange: officer",
    "مكتب التبادل المرسل: الموظف",
);
pub(crate) const RECEIVING_OFFICER: B = B::new(
    "Receiving office of exchange: officer",
    "مكتب التبادل المستلم: الموظف",
);
pub(crate) const SIGNATURE: B = B::new("Signature", "التوقيع");
pub(crate) const NAME_AND_DATE: B = B::new("Name and date", "الاسم والتاريخ");
pub(crate) const CONTINUATION_OF: B = B::new("Continuation sheet", "ورقة تكملة");

// --- CN 34 / CN 35 receptacle labels --------------------------------------------------------
pub(crate) const CN35_TITLE: B = B::new("Airmail receptacle label", "بطاقة كيس البريد الجوي");
pub(crate) const CN34_TITLE: B = B::new("Surface mail receptacle label", "بطاقة كيس البريد السطحي");
pub(crate) const REGISTERED_MARK: B = B::new("REGISTERED", "مسجل");
pub(crate) const NOT_REGISTERED: B = B::new("Ordinary mail", "بريد عادي");
pub(crate) const FROM_OE: B = B::new("From", "من");
pub(crate) const TO_OE: B = B::new("To", "إلى");
pub(crate) const LAST_RECEPTACLE: B = B::new("LAST RECEPTACLE", "الكيس الأخير");
pub(crate) const ITEM_COUNT: B = B::new("Number of items", "عدد الإرساليات");
pub(crate) const MAIL_SUBCLASS_SHORT: B = B::new("Category / subclass", "الفئة / الفرعية");

// --- CN 31, CN 33 ---------------------------------------------------------------------------
pub(crate) const CN31_TITLE: B = B::new(
    "LETTER BILL — Exchange of mails",
    "كشف الرسالة البريدية — تبادل البريد",
);
pub(crate) const CN33_TITLE: B = B::new(
    "SPECIAL LIST — Registered items",
    "قائمة خاصة — الإرساليات المسجلة",
);
pub(crate) const ITEM_ID: B = B::new("Item ID (S10)", "رقم الإرسالية (S10)");
pub(crate) const IN_RECEPTACLE: B = B::new("Receptacle no.", "رقم الكيس");
pub(crate) const ORIGIN_COUNTRY: B = B::new("Origin", "بلد المنشأ");
pub(crate) const DESTINATION_COUNTRY: B = B::new("Destination", "بلد المقصد");

// --- CN 37, CN 38, CN 41 delivery bills -----------------------------------------------------
pub(crate) const CN37_TITLE: B = B::new(
    "DELIVERY BILL — Surface mails",
    "كشف التسليم — البريد السطحي",
);
pub(crate) const CN38_TITLE: B = B::new("DELIVERY BILL — Airmails", "كشف التسليم — البريد الجوي");
pub(crate) const CN41_TITLE: B = B::new(
    "DELIVERY BILL — S.A.L. mails",
    "كشف التسليم — البريد السطحي المنقول جوا",
);
pub(crate) const HANDING_OVER_OE: B =
    B::new("Office of exchange handing over", "مكتب التبادل المسلم");
pub(crate) const HANDED_OVER_AT: B = B::new("Date", "التاريخ");
pub(crate) const CARRIER: B = B::new("Carrier", "الناقل");
pub(crate) const FLIGHT: B = B::new("Flight / trip no.", "رقم الرحلة");
pub(crate) const LOADING: B = B::new("Airport / place of loading", "مطار / مكان التحميل");
pub(crate) const UNLOADING: B = B::new("Airport / place of unloading", "مطار / مكان التفريغ");
pub(crate) const DEPARTURE: B = B::new("Departure", "موعد المغادرة");
pub(crate) const ORIGIN_IMPC: B = B::new("Origin (IMPC)", "المنشأ (IMPC)");
pub(crate) const DESTINATION_IMPC: B = B::new("Destination (IMPC)", "المقصد (IMPC)");
pub(crate) const OF_WHICH_REGISTERED: B = B::new("of which R", "منها مسجلة");
pub(crate) const REGISTERED_RECEPTACLES: B = B::new(
    "Registered (red-label) receptacles, listed separately",
    "الأكياس المسجلة (ذات البطاقة الحمراء) مدرجة على حدة",
);
pub(crate) const NO_REGISTERED_RECEPTACLES: B =
    B::new("No registered receptacle", "لا توجد أكياس مسجلة");
pub(crate) const TOTAL_DISPATCHES: B = B::new("Number of dispatches", "عدد الرسائل البريدية");
pub(crate) const HANDED_OVER_BY: B =
    B::new("Handed over by (office of exchange)", "سلمه (مكتب التبادل)");
pub(crate) const RECEIVED_BY_CARRIER: B = B::new(
    "Received by (carrier or receiving office)",
    "استلمه (الناقل أو المكتب المستلم)",
);

// --- CN 43 verification note ----------------------------------------------------------------
pub(crate) const CN43_TITLE: B = B::new("VERIFICATION NOTE", "مذكرة التحقق");
pub(crate) const RECEIVED_AT: B = B::new("Date of receipt", "تاريخ الاستلام");
pub(crate) const IRREGULARITY: B = B::new("Irregularity", "المخالفة");
pub(crate) const RECEPTACLE: B = B::new("Receptacle (S9)", "الكيس (S9)");
pub(crate) const ITEM: B = B::new("Item (S10)", "الإرسالية (S10)");
pub(crate) const EXPECTED: B = B::new("Expected (pre-advice)", "المتوقع (الإشعار المسبق)");
pub(crate) const FOUND: B = B::new("Found", "الموجود فعليا");
pub(crate) const NO_IRREGULARITY: B = B::new("No irregularity found", "لا توجد أي مخالفة");
pub(crate) const TOTAL_IRREGULARITIES: B = B::new("Number of irregularities", "عدد المخالفات");
pub(crate) const VERIFYING_OFFICER: B = B::new(
    "Receiving office of exchange: verifying officer",
    "مكتب التبادل المستلم: الموظف المدقق",
);
pub(crate) const WITNESS: B = B::new("Second officer (witness)", "موظف آخر (شاهد)");

// --- quality of service report -------------------------------------------------------------
pub(crate) const QUALITY_TITLE: B = B::new("Quality of service report", "تقرير جودة الخدمة");
pub(crate) const REPORTING_POST: B = B::new("Reporting post", "البريد المعد للتقرير");
pub(crate) const PARTNER_POST: B = B::new("Partner post", "البريد الشريك");
pub(crate) const MEMORANDUM: B = B::new("Memorandum of understanding", "مذكرة التفاهم");
pub(crate) const MONTH: B = B::new("Month", "الشهر");
pub(crate) const GENERATED_AT: B = B::new("Generated at", "تاريخ الإعداد");
pub(crate) const WORST_ROUTES: B = B::new(
    "Worst routes (by shortfall against the target)",
    "أسوأ المسارات (حسب العجز عن الهدف)",
);
pub(crate) const NO_DIRECTIONS: B = B::new(
    "No direction has a target this month",
    "لا يوجد اتجاه له هدف هذا الشهر",
);
pub(crate) const TARGET: B = B::new("Target", "الهدف");
pub(crate) const MEASURED_SHARE: B = B::new("Measured share", "النسبة المحققة");
pub(crate) const GAP_POINTS: B = B::new("Gap (percentage points)", "الفارق (نقاط مئوية)");
pub(crate) const COUNTED: B = B::new("Items counted", "الإرساليات المحتسبة");
pub(crate) const VERDICT: B = B::new("Verdict", "النتيجة");
pub(crate) const MET: B = B::new("Met", "في الموعد");
pub(crate) const LATE: B = B::new("Late", "متأخرة");
pub(crate) const OVERDUE: B = B::new("Overdue", "تجاوزت المهلة");
pub(crate) const IN_FLIGHT: B = B::new("In flight", "قيد النقل");
pub(crate) const RETURNED: B = B::new("Returned", "مرتجعة");
pub(crate) const MEDIAN: B = B::new("Median", "الوسيط");
pub(crate) const CUSTOMS_HELD: B = B::new("Held by customs", "محتجزة جمركيا");
pub(crate) const AVERAGE_HOLD: B = B::new("Average customs hold", "متوسط مدة الحجز الجمركي");
pub(crate) const HOURS: B = B::new("h", "ساعة");
pub(crate) const STUCK_ITEMS: B = B::new("Stuck items", "إرساليات متوقفة");
pub(crate) const CN43_DISCREPANCIES: B =
    B::new("CN 43 discrepancies this month", "مخالفات CN 43 هذا الشهر");
pub(crate) const MEETS_TARGET: B = B::new("Meets the target", "يحقق الهدف");
pub(crate) const BELOW_TARGET: B = B::new("Below the target", "دون الهدف");
pub(crate) const NOT_MEASURED: B = B::new(
    "Not measured: no item counted",
    "غير مقيسة: لا توجد إرساليات محتسبة",
);
pub(crate) const WITHIN: B = B::new("within", "خلال");
pub(crate) const TARGET_WORD: B = B::new("target", "الهدف");
pub(crate) const MEDIAN_WORD: B = B::new("median", "الوسيط");
pub(crate) const LEGS: B = B::new("Legs", "مراحل النقل");
pub(crate) const LEG: B = B::new("Leg", "المرحلة");
pub(crate) const WITHIN_TARGET: B = B::new("Within target", "ضمن الهدف");
pub(crate) const LATE_LEG: B = B::new("Late leg", "مرحلة متأخرة");
pub(crate) const LATE_MARK: B = B::new("LATE", "متأخرة");
pub(crate) const NO_LEGS: B = B::new("No leg measured", "لا توجد مراحل مقيسة");
pub(crate) const TREND: B = B::new(
    "Share met, last 12 months",
    "نسبة الإرساليات في الموعد، آخر 12 شهرا",
);
pub(crate) const DISTRIBUTION: B = B::new(
    "Items delivered per working day after posting (J+N)",
    "الإرساليات المسلمة حسب أيام العمل بعد الإيداع (J+N)",
);
pub(crate) const NO_ITEMS: B = B::new("No items", "لا توجد إرساليات");
pub(crate) const NO_STUCK: B = B::new("No stuck item", "لا توجد إرساليات متوقفة");
pub(crate) const LAST_STEP: B = B::new("Last step", "آخر خطوة");
pub(crate) const SINCE: B = B::new("Since", "منذ");
pub(crate) const WORKING_DAYS: B = B::new("Working days", "أيام العمل");
pub(crate) const AND: B = B::new("and", "و");
pub(crate) const MORE_NOT_LISTED: B = B::new("more not listed", "أخرى غير مدرجة");

/// The Arabic names of the months, January first.
pub(crate) const MONTHS_AR: [&str; 12] = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
];

/// A direction of mail in English and Arabic: `EG to PS via JO` and
/// `من مصر إلى فلسطين عبر الأردن`, or `EG to PS, direct` and `من مصر إلى فلسطين مباشرة`. The
/// fonts have no arrow, so the English says "to"; no closing bracket ends it, which
/// pdftotext would move to the front of a line on a page of mostly Arabic.
pub(crate) fn direction_name(
    origin: CountryCode,
    destination: CountryCode,
    via: Option<CountryCode>,
) -> (String, String) {
    match via {
        Some(via) => (
            format!("{origin} to {destination} via {via}"),
            format!(
                "من {} إلى {} عبر {}",
                origin.name_ar(),
                destination.name_ar(),
                via.name_ar()
            ),
        ),
        None => (
            format!("{origin} to {destination}, direct"),
            format!(
                "من {} إلى {} مباشرة",
                origin.name_ar(),
                destination.name_ar()
            ),
        ),
    }
}

/// The name of each kind of irregularity on a verification note.
pub(crate) fn discrepancy_name(discrepancy: &Discrepancy) -> Bilingual<'static> {
    match discrepancy {
        Discrepancy::MissingReceptacle { .. } => B::new("Missing receptacle", "كيس مفقود"),
        Discrepancy::ExtraReceptacle { .. } => B::new("Extra receptacle", "كيس زائد"),
        Discrepancy::LabelDiffers { .. } => B::new(
            "Label differs from the pre-advice",
            "البطاقة تختلف عن الإشعار المسبق",
        ),
        Discrepancy::DamagedReceptacle { .. } => B::new("Damaged receptacle", "كيس تالف"),
        Discrepancy::WeightDifference { .. } => B::new("Weight difference", "فرق في الوزن"),
        Discrepancy::MissingItem { .. } => B::new("Missing item", "إرسالية مفقودة"),
        Discrepancy::ExtraItem { .. } => B::new("Extra item", "إرسالية زائدة"),
        Discrepancy::ItemInOtherReceptacle { .. } => {
            B::new("Item in another receptacle", "إرسالية في كيس آخر")
        }
        Discrepancy::DamagedItem { .. } => B::new("Damaged item", "إرسالية تالفة"),
    }
}

/// A mail category (UPU code list 115) in words; `None` for a letter the list does not define.
pub(crate) fn mail_category_name(category: MailCategory) -> Option<Bilingual<'static>> {
    match category.letter() {
        'A' => Some(B::new("Priority / airmail", "أولوية / بريد جوي")),
        'B' => Some(B::new("S.A.L. (surface air lifted)", "بريد سطحي منقول جوا")),
        'C' => Some(B::new(
            "Non-priority / surface",
            "غير ذي أولوية / بريد سطحي",
        )),
        'D' => Some(B::new("Priority by surface", "أولوية بالطريق السطحي")),
        _ => None,
    }
}

/// A mail class (the first letter of a subclass) in words, where Barid knows it.
pub(crate) fn mail_class_name(class: MailClass) -> Option<Bilingual<'static>> {
    match class.letter() {
        'U' => Some(B::new("Letter post", "بريد الرسائل")),
        'C' => Some(B::new("Parcels", "الطرود")),
        'E' => Some(B::new("EMS", "البريد السريع")),
        'T' => Some(B::new("Empty receptacles", "أكياس فارغة")),
        _ => None,
    }
}
