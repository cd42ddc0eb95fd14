# مشترك بين كل الصفحات: التخطيط والتواريخ وتسجيل الدخول والصفحة الرئيسية.
# كل مفتاح هنا يجب أن يكون أيضًا في ../en/common.ftl (يتحقق من ذلك اختبار).

app-name = بريد
# اسم هذه اللغة بهذه اللغة، لمبدّل اللغة.
language-name = العربية
skip-to-content = انتقل إلى المحتوى
nav-label = القائمة الرئيسية
nav-home = الرئيسية
nav-accept = الشباك
nav-exchange = مكتب التبادل
nav-customs = الجمارك
nav-delivery = التوزيع
nav-partners = الشركاء
nav-agreements = الاتفاقيات
nav-quality = جودة الخدمة
nav-search = البحث عن مادة
nav-track = التتبع
signed-in-as = مسجّل الدخول باسم
log-in = تسجيل الدخول
log-out = تسجيل الخروج
footer = بريد: برنامج مفتوح المصدر لتبادل البريد الدولي بين الإدارات البريدية.

# لحظة وقوع الحدث حيث وقع: اليوم واسم الشهر والسنة والوقت بنظام 24 ساعة.
date-time = { $day } { $month } { $year }، الساعة { $time }
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر

# Between the parts of a list, such as office, city and country.
separator = { "، " }
grams = { $value } غ
millimetres = مم

## تسجيل الدخول

login-title = تسجيل الدخول
login-username = اسم المستخدم
login-password = كلمة المرور
login-track-instead = تتبّع مادة بريدية دون تسجيل الدخول
login-error-login-failed = اسم المستخدم أو كلمة المرور غير صحيحة.
login-error-rate-limited = محاولات كثيرة جدًا. انتظر دقيقة ثم حاول مرة أخرى.
login-error-csrf-failed = انتهت صلاحية النموذج. حاول مرة أخرى.

## الصفحة الرئيسية

home-title = الصفحة الرئيسية
home-offices = مكاتبك:
home-everyone = البحث والتتبع
home-no-roles = ليست لديك أدوار بعد. اطلب من المسؤول إسنادها إليك.
task-search = البحث عن مادة برقمها أو باسم أو برقم هاتف
task-track = تتبّع مادة كما يراها الجمهور

role-admin = المسؤول
role-supervisor = المشرف
role-clerk = موظف الشباك
role-oe-operator = مكتب التبادل
role-customs = الجمارك
role-delivery = التوزيع
role-merchant = التاجر
role-partner = إدارة بريدية شريكة

task-admin-manage = المكاتب والمستخدمون ورموز الوصول ونطاقات S10: عبر الواجهة البرمجية (انظر مرجعها) أو أمر barid
task-admin-partners = خوادم الإدارات الشريكة: إيصال الرسائل وإيقافه واستئنافه
task-admin-screens = شاشات لإدارتها
task-supervisor-audit = الاطلاع على سجل التدقيق: عبر الواجهة البرمجية (انظر مرجعها)
task-supervisor-partners = متابعة الروابط مع الإدارات الشريكة: الرسائل المنتظرة والمرفوضة والمحجوزة
task-supervisor-quality = جودة الخدمة مقارنةً بالأهداف المتفق عليها
task-clerk-accept = قبول مادة بريدية على الشباك مع بيانها الجمركي
task-clerk-bulk = قبول مواد كثيرة دفعة واحدة من ملف CSV
task-clerk-documents = البحث عن مادة لإعادة طباعة ملصقها أو بيانها الجمركي أو إيصالها
task-merchant-bulk = رفع ملف CSV بالمواد المطلوب قبولها
task-oe-scan = مسح المواد الواردة من الشبابيك
task-oe-receptacles = فتح الأكياس وملؤها وإغلاقها
task-oe-dispatches = إعداد الإرساليات وإرسالها
task-oe-inward = استلام إرساليات الشركاء وفتحها والتحقق منها وإرسالها إلى وجهتها
task-customs-queue = المواد المنتظرة لدى الجمارك: الحجز والإفراج
task-delivery-rounds = جولات التوزيع ومحاولات التسليم وإثباته
task-merchant-api = إرسال المواد عبر الواجهة البرمجية برمز وصول (انظر مرجعها)
task-partner-exchange = تبادل الرسائل مع خادم هذه الإدارة البريدية

coming-admin-screens = قريبًا
coming-quality = مع الاتفاقيات وجودة الخدمة
