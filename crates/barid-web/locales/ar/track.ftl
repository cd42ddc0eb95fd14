# صفحات التتبع العامة.

track-title = تتبّع مادة بريدية
track-lead = أدخل الرقم المطبوع تحت الرمز الشريطي، مثل { $example }. لا حاجة إلى تسجيل الدخول.
track-id-label = رقم المادة
track-id-hint = 13 خانة: حرفان و9 أرقام ثم حرفا البلد. يمكن لقارئ الرمز الشريطي إدخاله.
track-button = تتبّع
track-many-summary = تتبّع عدة مواد معًا (حتى { $max })
track-many-label = أرقام المواد
track-many-hint = رقم في كل سطر، أو تفصل بينها مسافات أو فواصل؛ حتى { $max }.
track-status = الحالة
track-from = من
track-to = إلى
track-events = ما جرى
track-no-events = لم يُسجَّل أي حدث بعد.
track-reason = السبب
track-office = المكتب
track-not-known = الرقم { $id } غير معروف بعد. تظهر المادة هنا بعد أن تسجّلها إحدى الإدارات البريدية في هذه الشبكة: حاول لاحقًا، أو اسأل مكتب البريد الذي أُرسلت منه.
track-invalid = «{ $id }» ليس رقم مادة صحيحًا: { $problem }.
track-format-hint = رقم المادة 13 خانة: حرفان ثم 8 أرقام ثم رقم التحقق ثم حرفا البلد الذي أصدره، مثل { $example }. راجع الرقم في الإيصال أو تحت الرمز الشريطي.
track-too-many = يمكن تتبّع { $max } مادة على الأكثر في المرة الواحدة؛ أدخلت { $count }.
track-rate-limited = طلبات كثيرة جدًا من اتصالك. انتظر { $seconds } ثانية ثم حاول مرة أخرى.

## لماذا لا يكون النص رقم مادة (أسباب المحلّل)

s10-error-length = يجب أن يتكوّن من 13 خانة (دون المسافات)، وفيه { $found }
s10-error-format-digit = الخانة { $position } يجب أن تكون رقمًا، لا «{ $found }»
s10-error-format-letter = الخانة { $position } يجب أن تكون حرفًا لاتينيًا، لا «{ $found }»
s10-error-check-digit = رقم التحقق يجب أن يكون { $expected }، لا { $found }؛ ربما أُدخلت إحدى الخانات خطأً
s10-error-reserved = لا تُصدر أي إدارة بريدية أرقامًا تبدأ بـ { $indicator }
s10-error-country = { $code } ليس رمز بلد
s10-error-indicator = يجب أن تكون الخانتان الأوليان حرفين، لا «{ $found }»
