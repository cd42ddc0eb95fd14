//! Every fixed caption printed on Barid's documents, in English and Arabic, in one place.
//!
//! Postal documents between Arabic-speaking posts are bilingual: each caption carries its
//! English text (the UPU working language customs and transit posts read) and its Arabic text.
//! The English wording follows the UPU forms (CN 22, CN 23); field numbers in brackets are the
//! forms' own.

use barid_core::{ContentCategory, S10Service};

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
