# المواد: الحالات والخدمات وفئات المحتوى الجمركية، وصفحتا البحث والمادة للموظفين.

## الحالات، مستنتجة من الأحداث

status-no-events = لا أحداث بعد
status-accepted = قُبلت في مكتب البريد
status-at-outward-office = في مكتب التبادل الصادر
status-presented-to-export-customs = قُدّمت إلى جمارك التصدير
status-held-by-export-customs = محتجزة لدى جمارك التصدير
status-released-by-export-customs = أفرجت عنها جمارك التصدير
status-held-at-outward-office = محتجزة في مكتب التبادل الصادر
status-departed-origin = غادرت بلد المنشأ
status-at-transit-office = في مكتب عبور
status-departed-transit-office = غادرت مكتب العبور
status-at-inward-office = وصلت إلى بلد المقصد
status-held-at-inward-office = محتجزة في مكتب التبادل الوارد
status-presented-to-import-customs = قُدّمت إلى جمارك الاستيراد
status-held-by-import-customs = محتجزة لدى جمارك الاستيراد
status-released-by-import-customs = أفرجت عنها جمارك الاستيراد
status-departed-inward-office = غادرت مكتب التبادل الوارد
status-in-sorting-centre = في مركز الفرز
status-left-sorting-centre = غادرت مركز الفرز
status-at-delivery-office = في مكتب التوزيع
status-held-at-delivery-office = محتجزة في مكتب التوزيع
status-out-for-delivery = خرجت للتسليم
status-at-collection-point = بانتظار الاستلام في نقطة التسليم
status-delivery-attempt-failed = تعذّر التسليم
status-delivered = سُلّمت
status-import-terminated = أُوقف استيرادها (صودرت أو تُركت أو أُتلفت)
status-export-cancelled = أُلغي تصديرها
status-return-pending = ستُعاد إلى المرسل
status-returned-to-sender = أُعيدت إلى المرسل

## الخدمات، من مؤشر الخدمة في رقم S10

service-ems = البريد السريع (EMS)
service-registered = رسالة مسجلة
service-tracked = رسالة متتبَّعة
service-insured = رسالة مؤمَّن عليها
service-other-letter-post = مواد بريد رسائل أخرى
service-m-bag = كيس M
service-parcel = طرد بريدي
service-ecommerce-parcel = طرد تجارة إلكترونية
service-ibrs = الرد التجاري الدولي
service-domestic-or-bilateral = خدمة محلية أو ثنائية
service-unassigned = نطاق غير مخصص

## فئات المحتوى الجمركية

category-gift = هدية
category-documents = مستندات
category-commercial-sample = عينة تجارية
category-returned-goods = بضائع مرتجعة
category-sale-of-goods = بيع بضائع
category-other = أخرى

## الأحداث

event-unknown = الحدث { $code }
event-source-local = سُجّل هنا
event-source-partner = أبلغت عنه إدارة شريكة
event-signatory = وقّع
event-note = ملاحظة

## البحث

search-title = البحث عن مادة
search-label = رقم المادة أو الاسم أو رقم الهاتف
search-hint = امسح رقم المادة أو اكتبه، أو جزءًا من اسم المرسل أو المرسل إليه (بالعربية أو اللاتينية) أو من رقم هاتفه. يشمل البحث مواد إدارتك البريدية فقط.
search-button = بحث
search-too-short = اكتب { $chars } أحرف على الأقل من الاسم، أو { $digits } أرقام من رقم الهاتف.
search-by-s10 = المادة { $id }
search-by-name = الأسماء التي تحتوي «{ $name }»
search-by-phone = أرقام الهاتف التي تحتوي { $digits }
search-count = { $count ->
    [zero] لا مواد
    [one] مادة واحدة
    [two] مادتان
    [few] { $count } مواد
   *[other] { $count } مادة
}
search-truncated = تُعرض أحدث { $max } مادة فقط؛ ضيّق البحث لترى غيرها.
col-s10 = رقم المادة
col-status = الحالة
col-destination = المقصد
col-sender = المرسل
col-addressee = المرسل إليه
col-recorded = تاريخ التسجيل

## صفحة المادة

item-invalid-title = ليس رقم مادة
item-not-found-title = المادة غير موجودة
item-not-found = لا توجد لدى إدارتك البريدية مادة بالرقم { $id }.
item-details = التفاصيل
item-s10 = رقم المادة
item-office = المكتب
item-recorded = تاريخ التسجيل
item-weight = الوزن
item-dimensions = الأبعاد
item-contents = المحتويات
item-postage = أجرة البريد
item-documents = المستندات
item-sender = المرسل
item-addressee = المرسل إليه
item-customs = البيان الجمركي ({ $form })
item-events-hint = الأحداث التي سجّلتها إدارتك البريدية أو تلقّتها.
item-public-page = عرض صفحة التتبع العامة
party-name = الاسم
party-business = المنشأة
party-address = العنوان
party-phone = الهاتف
party-email = البريد الإلكتروني
party-latin = بالحروف اللاتينية
customs-category = الفئة
customs-total = القيمة الإجمالية
customs-gross-weight = الوزن القائم
customs-documents = التراخيص والشهادات
customs-invoice = الفاتورة
customs-comments = ملاحظات
customs-lines = المحتويات
customs-description = الوصف
customs-quantity = الكمية
customs-net-weight = الوزن الصافي
customs-value = القيمة
customs-hs-code = رمز النظام المنسق
customs-origin = المنشأ
