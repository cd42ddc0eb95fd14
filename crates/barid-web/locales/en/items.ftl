# Items: statuses, services and customs categories, and the staff's search and item pages.

## Statuses, derived from the events

status-no-events = No events yet
status-accepted = Accepted at the post office
status-at-outward-office = At the outward office of exchange
status-presented-to-export-customs = Presented to export customs
status-held-by-export-customs = Held by export customs
status-released-by-export-customs = Released by export customs
status-held-at-outward-office = Held at the outward office of exchange
status-departed-origin = Left the country of origin
status-at-transit-office = At a transit office
status-departed-transit-office = Left a transit office
status-at-inward-office = Arrived in the destination country
status-held-at-inward-office = Held at the inward office of exchange
status-presented-to-import-customs = Presented to import customs
status-held-by-import-customs = Held by import customs
status-released-by-import-customs = Released by import customs
status-departed-inward-office = Left the inward office of exchange
status-in-sorting-centre = At a sorting centre
status-left-sorting-centre = Left a sorting centre
status-at-delivery-office = At the delivery office
status-held-at-delivery-office = Held at the delivery office
status-out-for-delivery = Out for delivery
status-at-collection-point = Waiting at a collection point
status-delivery-attempt-failed = Delivery attempt failed
status-delivered = Delivered
status-import-terminated = Import stopped (seized, abandoned or destroyed)
status-export-cancelled = Export cancelled
status-return-pending = To be returned to the sender
status-returned-to-sender = Returned to the sender

## Services, from the S10 service indicator

service-ems = EMS
service-registered = Registered letter
service-tracked = Tracked letter
service-insured = Insured letter
service-other-letter-post = Other letter post
service-m-bag = M bag
service-parcel = Parcel
service-ecommerce-parcel = E-commerce parcel
service-ibrs = International business reply
service-domestic-or-bilateral = Domestic or bilateral service
service-unassigned = Unassigned range

## Customs content categories

category-gift = Gift
category-documents = Documents
category-commercial-sample = Commercial sample
category-returned-goods = Returned goods
category-sale-of-goods = Sale of goods
category-other = Other

## Events

event-unknown = Event { $code }
event-source-local = recorded here
event-source-partner = reported by a partner post
event-signatory = Signed by
event-note = Note

## Search

search-title = Find an item
search-label = Item ID, name or phone number
search-hint = Scan or type an item ID, or part of a sender's or addressee's name (Arabic or Latin) or phone number. Only your post's items are searched.
search-button = Search
search-too-short = Type at least { $chars } letters of a name, or { $digits } digits of a phone number.
search-by-s10 = Item { $id }
search-by-name = Names containing “{ $name }”
search-by-phone = Phone numbers containing { $digits }
search-count = { $count ->
    [one] 1 item
   *[other] { $count } items
}
search-truncated = Only the { $max } most recent are shown; narrow the search to see others.
col-s10 = Item ID
col-status = Status
col-destination = Destination
col-sender = Sender
col-addressee = Addressee
col-recorded = Recorded

## The item page

item-invalid-title = Not an item ID
item-not-found-title = Item not found
item-not-found = Your post has no item { $id }.
item-details = Details
item-s10 = Item ID
item-office = Office
item-recorded = Recorded
item-weight = Weight
item-dimensions = Dimensions
item-contents = Contents
item-postage = Postage
item-documents = Documents
item-sender = Sender
item-addressee = Addressee
item-customs = Customs declaration ({ $form })
item-events-hint = Events your post has recorded or received.
item-public-page = See the public tracking page
party-name = Name
party-business = Business
party-address = Address
party-phone = Phone
party-email = E-mail
party-latin = In Latin letters
customs-category = Category
customs-total = Total value
customs-gross-weight = Gross weight
customs-documents = Licences and certificates
customs-invoice = Invoice
customs-comments = Comments
customs-lines = Contents
customs-description = Description
customs-quantity = Quantity
customs-net-weight = Net weight
customs-value = Value
customs-hs-code = HS code
customs-origin = Origin
