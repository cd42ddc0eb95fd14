# The counter: the acceptance form, the bulk upload, and the documents of an accepted item.

accept-title = Accept an item
accept-intro = Fields marked * are required. Tab moves between fields; Enter accepts the item. Arabic and Latin script are both accepted.
accept-bulk-link = Accept many items from a CSV file
accept-item = Item and service
accept-service = Service
accept-service-ems = EMS (express mail)
accept-service-registered = Registered letter
accept-service-tracked = Tracked packet
accept-service-small-packet = Small packet
accept-service-insured = Insured letter
accept-service-parcel = Parcel
accept-service-ecommerce = E-commerce parcel
accept-indicator = S10 range (service indicator)
accept-indicator-hint = Leave blank to number the item from the service's usual range, e.g. EE for EMS.
accept-destination = Destination
accept-choose = Choose…
accept-weight = Weight (grams)
accept-length = Length (mm)
accept-width = Width (mm)
accept-height = Height (mm)
accept-address-line1 = Address
accept-address-line2 = Address (continued)
accept-city = City
accept-postcode = Postcode
party-country = Country
accept-same-as-destination = Same as the destination
accept-latin = Latin transliteration (for transit posts)
accept-latin-hint = The name and address in Latin letters, printed on the label beside the Arabic for posts that do not read it.
accept-customs = Customs declaration
accept-customs-hint = Barid chooses the CN 22 or CN 23 from the service and the value. Leave the lines empty for documents that need no declaration.
accept-category-explanation = Explanation (for “Other”)
accept-gross-weight-hint = Leave blank to use the item's weight.
accept-line = Content line { $number }
accept-line-weight = Net weight (grams)
accept-currency = Currency
accept-add-line = Add a content line
accept-customs-more = Licences, certificates, references and comments
accept-licences = Licence numbers
accept-certificates = Certificate numbers
accept-numbers-hint = Separate several numbers with commas.
accept-importer-reference = Importer's reference (tax or VAT number)
accept-sender-reference = Sender's customs reference
accept-submit = Accept and issue the item ID
accept-submit-hint = Postage is worked out from the tariff when the item is accepted.
accept-refused = { $count ->
    [one] The item was not accepted: 1 problem
   *[other] The item was not accepted: { $count } problems
}
accept-done = Accepted.
accept-done-print = Print the label now and stick it on the item.
accept-next = Accept the next item

doc-label = Label
doc-customs = Customs declaration
doc-receipt = Receipt

bulk-title = Accept items from a CSV file
bulk-intro = One row per item, at most { $max } items per file. Either every item is accepted, or none is and the report lists the rows to correct.
bulk-template = Download a template
bulk-file = CSV file (UTF-8)
bulk-submit = Upload and accept
bulk-uploading = Uploading the file
bulk-processing = Checking and numbering the items…
bulk-columns = The columns
bulk-columns-hint = Columns are named like the fields of the acceptance form. reference, service, destination and weight_grams are required. A row with the same reference as the row above adds one more content line (line.*) to that item.
bulk-file-refused = The file cannot be read:
bulk-refused = { $count ->
    [one] Nothing was accepted: 1 problem
   *[other] Nothing was accepted: { $count } problems
}
bulk-accepted = { $count ->
    [one] 1 item accepted.
   *[other] { $count } items accepted.
}
bulk-line = Line
bulk-reference = Reference
bulk-column = Column
bulk-problem = Problem
