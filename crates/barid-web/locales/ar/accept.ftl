# الشباك: نموذج القبول، والرفع الجماعي، ومستندات المادة المقبولة.

accept-title = قبول مادة بريدية
accept-intro = الحقول المعلَّمة بـ * مطلوبة. ينتقل مفتاح Tab بين الحقول، ويقبل Enter المادة. تُقبل الكتابة بالحروف العربية واللاتينية.
accept-bulk-link = قبول مواد كثيرة من ملف CSV
accept-item = المادة والخدمة
accept-service = الخدمة
accept-service-ems = البريد السريع (EMS)
accept-service-registered = خطاب مسجل
accept-service-tracked = طرد صغير متتبع
accept-service-small-packet = طرد صغير
accept-service-insured = خطاب مؤمَّن عليه
accept-service-parcel = طرد بريدي
accept-service-ecommerce = طرد تجارة إلكترونية
accept-indicator = نطاق الترقيم S10 (رمز الخدمة)
accept-indicator-hint = اتركه فارغًا لترقيم المادة من النطاق المعتاد للخدمة، مثل EE للبريد السريع.
accept-destination = بلد المقصد
accept-choose = اختر…
accept-weight = الوزن (غرام)
accept-length = الطول (مم)
accept-width = العرض (مم)
accept-height = الارتفاع (مم)
accept-address-line1 = العنوان
accept-address-line2 = تتمة العنوان
accept-city = المدينة
accept-postcode = الرمز البريدي
party-country = البلد
accept-same-as-destination = بلد المقصد نفسه
accept-latin = الكتابة بالحروف اللاتينية (لبريد العبور)
accept-latin-hint = الاسم والعنوان بالحروف اللاتينية، يُطبعان على الملصق بجانب العربية لبريد الدول التي لا تقرؤها.
accept-customs = البيان الجمركي
accept-customs-hint = يختار باريد النموذج CN 22 أو CN 23 بحسب الخدمة والقيمة. اترك البنود فارغة للوثائق التي لا تحتاج إلى بيان.
accept-category-explanation = التوضيح (للفئة «أخرى»)
accept-gross-weight-hint = اتركه فارغًا لاستعمال وزن المادة.
accept-line = البند { $number }
accept-line-weight = الوزن الصافي (غرام)
accept-currency = العملة
accept-add-line = إضافة بند
accept-customs-more = الرخص والشهادات والمراجع والملاحظات
accept-licences = أرقام الرخص
accept-certificates = أرقام الشهادات
accept-numbers-hint = افصل بين الأرقام بفواصل.
accept-importer-reference = مرجع المستورد (الرقم الضريبي)
accept-sender-reference = المرجع الجمركي للمرسل
accept-submit = قبول المادة وإصدار رقمها
accept-submit-hint = تُحسب أجرة البريد من التعرفة عند القبول.
accept-refused = { $count ->
    [one] لم تُقبل المادة: مشكلة واحدة
    [two] لم تُقبل المادة: مشكلتان
   *[other] لم تُقبل المادة: { $count } مشكلات
}
accept-done = قُبلت المادة.
accept-done-print = اطبع الملصق الآن وألصقه على المادة.
accept-next = قبول المادة التالية

doc-label = الملصق
doc-customs = البيان الجمركي
doc-receipt = الإيصال

bulk-title = قبول مواد من ملف CSV
bulk-intro = صف واحد لكل مادة، و{ $max } مادة على الأكثر في الملف. إما أن تُقبل كل المواد، وإما ألا يُقبل شيء ويبيّن التقرير الصفوف الواجب تصحيحها.
bulk-template = تنزيل نموذج الملف
bulk-file = ملف CSV (بترميز UTF-8)
bulk-submit = رفع الملف وقبول المواد
bulk-uploading = جارٍ رفع الملف
bulk-processing = جارٍ فحص المواد وترقيمها…
bulk-columns = الأعمدة
bulk-columns-hint = تحمل الأعمدة أسماء حقول نموذج القبول. الأعمدة reference وservice وdestination وweight_grams مطلوبة. الصف الذي يحمل مرجع الصف السابق نفسه يضيف بندًا آخر (line.*) إلى تلك المادة.
bulk-file-refused = تعذرت قراءة الملف:
bulk-refused = { $count ->
    [one] لم يُقبل شيء: مشكلة واحدة
    [two] لم يُقبل شيء: مشكلتان
   *[other] لم يُقبل شيء: { $count } مشكلات
}
bulk-accepted = { $count ->
    [one] قُبلت مادة واحدة.
    [two] قُبلت مادتان.
   *[other] قُبلت { $count } مادة.
}
bulk-line = السطر
bulk-reference = المرجع
bulk-column = العمود
bulk-problem = المشكلة
