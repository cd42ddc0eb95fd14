# Shared by every page: the layout, dates, login and the home page.
# Every key here must also be in ../ar/common.ftl (a test checks).

app-name = Barid
# The name of this language, in this language, for the language switch.
language-name = English
skip-to-content = Skip to the content
nav-label = Main
nav-home = Home
nav-accept = Counter
nav-exchange = Office of exchange
nav-customs = Customs
nav-delivery = Delivery
nav-partners = Partners
nav-agreements = Agreements
nav-quality = Quality
nav-search = Find an item
nav-track = Track
signed-in-as = Signed in as
log-in = Log in
log-out = Log out
footer = Barid, open-source software for the exchange of international mail between posts.

# A moment where it happened: day, month name, year and 24-hour time.
date-time = { $day } { $month } { $year }, { $time }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

# Between the parts of a list, such as office, city and country.
separator = { ", " }
grams = { $value } g
millimetres = mm

## Login

login-title = Log in
login-username = Username
login-password = Password
login-track-instead = Track an item without logging in
login-error-login-failed = Wrong username or password.
login-error-rate-limited = Too many attempts. Wait a minute and try again.
login-error-csrf-failed = The form expired. Please try again.

## Home

home-title = Home
home-offices = Your offices:
home-everyone = Search and tracking
home-no-roles = You have no roles yet. Ask an administrator to assign them.
task-search = Find an item by its ID, a name or a phone number
task-track = Track an item as the public sees it

role-admin = Administrator
role-supervisor = Supervisor
role-clerk = Counter clerk
role-oe-operator = Office of exchange
role-customs = Customs
role-delivery = Delivery
role-merchant = Merchant
role-partner = Partner post

task-admin-manage = Offices, users, API tokens and S10 ranges: through the API (see the API reference) or the barid command
task-admin-partners = Partner posts' nodes: delivery of messages, pause and resume
task-admin-screens = Screens to manage them
task-supervisor-audit = Read the audit log: through the API (see the API reference)
task-supervisor-partners = Watch the links to partner posts: messages waiting, refused, quarantined
task-supervisor-quality = Quality of service against the agreed targets
task-clerk-accept = Accept an item at the counter, with its customs declaration
task-clerk-bulk = Accept many items at once from a CSV file
task-clerk-documents = Find an item to print its label, customs declaration or receipt again
task-merchant-bulk = Upload a CSV file of items to accept
task-oe-scan = Scan items arriving from the counters
task-oe-receptacles = Open, fill and close receptacles
task-oe-dispatches = Make and send dispatches
task-oe-inward = Receive partners' dispatches, open, verify and send on
task-customs-queue = Items waiting for customs: hold and release
task-delivery-rounds = Delivery rounds, attempts and proof of delivery
task-merchant-api = Send items through the API with a token (see the API reference)
task-partner-exchange = Exchange messages with this post's node

coming-admin-screens = coming later
coming-quality = coming with agreements and quality of service
