//! Money, weight and SDR exchange rates, all as exact integers.
//!
//! Amounts are counted in the currency's minor unit (piastres, fils, cents) as `i64`, weights in
//! grams as `u32`, and SDR rates in millionths of a currency unit. Decimal text is read digit by
//! digit and never goes through a float, so `125.10 EGP` is always exactly 12510 piastres and a
//! value sitting exactly on a customs threshold compares as equal.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The number of decimals Barid keeps for amounts in SDR (ISO 4217 code XDR).
///
/// ISO 4217 lists no minor unit for XDR. Barid's choice: SDR amounts are kept to the hundredth,
/// as the UPU's accounts and invoices show them.
pub const SDR_MINOR_UNIT_EXPONENT: u8 = 2;

/// An ISO 4217 currency that Barid can count in minor units, e.g. `EGP`, `JOD`, or `XDR` (SDR).
///
/// Codes without a minor unit (gold, silver, test and "no currency" codes) are refused, because
/// an amount in them could not be stored as an integer count of minor units. The one exception
/// is the SDR, which UPU accounting needs; see [`SDR_MINOR_UNIT_EXPONENT`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(iso_currency::Currency);

/// Why a text is not a currency Barid can use. `code()` is the stable name of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    #[error("a currency code has 3 letters, found {found:?}")]
    Format { found: String },
    #[error("{code} is not an ISO 4217 currency code")]
    Unknown { code: String },
    #[error("{code} has no minor unit, so amounts in it cannot be counted exactly")]
    NoMinorUnit { code: String },
}

impl CurrencyError {
    /// The stable machine-readable name of the problem, as used by the CLI and the API.
    pub fn code(&self) -> &'static str {
        match self {
            CurrencyError::Format { .. } => "invalid_currency",
            CurrencyError::Unknown { .. } => "unknown_currency",
            CurrencyError::NoMinorUnit { .. } => "currency_without_minor_unit",
        }
    }
}

impl Currency {
    /// Egyptian pound (2 decimals).
    pub const EGP: Currency = Currency(iso_currency::Currency::EGP);
    /// Jordanian dinar (3 decimals).
    pub const JOD: Currency = Currency(iso_currency::Currency::JOD);
    /// Iraqi dinar (3 decimals).
    pub const IQD: Currency = Currency(iso_currency::Currency::IQD);
    /// Libyan dinar (3 decimals).
    pub const LYD: Currency = Currency(iso_currency::Currency::LYD);
    /// Israeli new shekel (2 decimals), in everyday use in Palestine.
    pub const ILS: Currency = Currency(iso_currency::Currency::ILS);
    /// United States dollar (2 decimals).
    pub const USD: Currency = Currency(iso_currency::Currency::USD);
    /// Euro (2 decimals).
    pub const EUR: Currency = Currency(iso_currency::Currency::EUR);
    /// The IMF's Special Drawing Right (ISO 4217 `XDR`), the UPU's unit of account.
    pub const SDR: Currency = Currency(iso_currency::Currency::XDR);

    /// Parses a 3-letter ISO 4217 code (any case, surrounding spaces ignored): `"egp"` gives EGP.
    pub fn parse(text: &str) -> Result<Self, CurrencyError> {
        let upper = text.trim().to_ascii_uppercase();
        if upper.len() != 3 || !upper.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(CurrencyError::Format {
                found: text.to_owned(),
            });
        }
        let iso =
            iso_currency::Currency::from_code(&upper).ok_or_else(|| CurrencyError::Unknown {
                code: upper.clone(),
            })?;
        if iso != iso_currency::Currency::XDR && iso.exponent().is_none() {
            return Err(CurrencyError::NoMinorUnit { code: upper });
        }
        Ok(Self(iso))
    }

    /// The ISO 4217 alphabetic code, e.g. `"EGP"`.
    pub fn as_str(&self) -> &'static str {
        self.0.code()
    }

    /// The English name ISO 4217 gives the currency, e.g. "Egyptian pound".
    pub fn name_en(&self) -> &str {
        self.0.name()
    }

    /// How many decimals the minor unit has: EGP 2, JOD 3, IQD 3, JPY 0, XDR 2 (Barid's choice).
    pub fn minor_unit_exponent(&self) -> u8 {
        if self.is_sdr() {
            return SDR_MINOR_UNIT_EXPONENT;
        }
        // `parse` refuses every other code without an exponent; ISO exponents are 0 to 4.
        self.0
            .exponent()
            .and_then(|e| u8::try_from(e).ok())
            .unwrap_or(0)
    }

    /// Whether this is the SDR (XDR).
    pub fn is_sdr(&self) -> bool {
        self.0 == iso_currency::Currency::XDR
    }

    /// `10^exponent`: how many minor units make one major unit.
    fn minor_units_per_unit(&self) -> i128 {
        pow10(self.minor_unit_exponent())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = CurrencyError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// `10^exponent` for the small exponents used here (at most 6); saturates instead of panicking.
fn pow10(exponent: u8) -> i128 {
    10_i128
        .checked_pow(u32::from(exponent))
        .unwrap_or(i128::MAX)
}

/// Why a decimal text could not be read as an exact fixed-point number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DecimalError {
    Format,
    TooManyDecimals,
    Overflow,
}

/// Reads `[-]digits[.digits]` into an integer scaled by `10^decimals`, without floats.
///
/// Only ASCII digits and one `.` are accepted: no thousands separators, no exponent, no `+`,
/// and no bare `.5` or `5.`, so that nothing typed at a counter is silently misread. More
/// fraction digits than `decimals` is an error even when they are zeros.
fn parse_fixed(text: &str, decimals: u8) -> Result<i128, DecimalError> {
    let trimmed = text.trim();
    let (negative, unsigned) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
        return Err(DecimalError::Format);
    }
    let fraction = fraction.unwrap_or("");
    if fraction.len() > usize::from(decimals) {
        return Err(DecimalError::TooManyDecimals);
    }
    let mut value: i128 = 0;
    let padding = usize::from(decimals).saturating_sub(fraction.len());
    let padded = whole
        .bytes()
        .chain(fraction.bytes())
        .chain(std::iter::repeat_n(b'0', padding));
    for digit in padded {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(digit - b'0')))
            .ok_or(DecimalError::Overflow)?;
    }
    Ok(if negative { -value } else { value })
}

/// Writes `magnitude / 10^decimals` with exactly `decimals` fraction digits.
fn write_fixed(
    f: &mut fmt::Formatter<'_>,
    negative: bool,
    magnitude: u128,
    decimals: u8,
) -> fmt::Result {
    let sign = if negative { "-" } else { "" };
    if decimals == 0 {
        return write!(f, "{sign}{magnitude}");
    }
    let scale = u128::try_from(pow10(decimals)).unwrap_or(1);
    let width = usize::from(decimals);
    write!(
        f,
        "{sign}{}.{:0width$}",
        magnitude / scale,
        magnitude % scale
    )
}

/// Why an amount of money could not be built or added. `code()` is the stable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {expected} with {found}: the currencies differ")]
    CurrencyMismatch { expected: Currency, found: Currency },
    #[error("the amount is too large to be represented")]
    Overflow,
    #[error("{found:?} is not a decimal amount (digits, optionally a point and decimals)")]
    InvalidAmount { found: String },
    #[error("{found:?} has more decimals than {currency} allows ({allowed})")]
    TooManyDecimals {
        found: String,
        currency: Currency,
        allowed: u8,
    },
}

impl MoneyError {
    /// The stable machine-readable name of the problem, as used by the CLI and the API.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::CurrencyMismatch { .. } => "currency_mismatch",
            MoneyError::Overflow => "overflow",
            MoneyError::InvalidAmount { .. } => "invalid_amount",
            MoneyError::TooManyDecimals { .. } => "too_many_decimals",
        }
    }
}

/// An exact amount of money: a whole number of minor units of one currency.
///
/// It may be negative (refunds and account balances); customs rules check the sign themselves.
/// Serialises as `{"amount_minor": 12500, "currency": "EGP"}`; the currency is read back through
/// [`Currency::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    amount_minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount given in minor units: `Money::new(12500, Currency::EGP)` is 125.00 EGP.
    pub const fn new(amount_minor: i64, currency: Currency) -> Self {
        Self {
            amount_minor,
            currency,
        }
    }

    /// Nothing, in the given currency: the start of a sum.
    pub const fn zero(currency: Currency) -> Self {
        Self {
            amount_minor: 0,
            currency,
        }
    }

    /// Reads decimal text in major units: `parse_decimal("125.5", EGP)` is 12550 piastres.
    ///
    /// At most as many decimals as the currency has (2 for EGP, 3 for JOD, none for JPY), even
    /// if the extra ones are zeros. An optional leading `-` is accepted.
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let exponent = currency.minor_unit_exponent();
        let scaled = parse_fixed(text, exponent).map_err(|error| match error {
            DecimalError::Format => MoneyError::InvalidAmount {
                found: text.to_owned(),
            },
            DecimalError::TooManyDecimals => MoneyError::TooManyDecimals {
                found: text.to_owned(),
                currency,
                allowed: exponent,
            },
            DecimalError::Overflow => MoneyError::Overflow,
        })?;
        let amount_minor = i64::try_from(scaled).map_err(|_| MoneyError::Overflow)?;
        Ok(Self {
            amount_minor,
            currency,
        })
    }

    pub fn amount_minor(&self) -> i64 {
        self.amount_minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_positive(&self) -> bool {
        self.amount_minor > 0
    }

    pub fn is_zero(&self) -> bool {
        self.amount_minor == 0
    }

    pub fn is_negative(&self) -> bool {
        self.amount_minor < 0
    }

    /// The sum of two amounts in the same currency.
    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch {
                expected: self.currency,
                found: other.currency,
            });
        }
        let amount_minor = self
            .amount_minor
            .checked_add(other.amount_minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            amount_minor,
            currency: self.currency,
        })
    }

    /// The amount in major units with exactly the currency's decimals, without the code:
    /// `"125.00"`, `"1.250"`, `"-0.05"`. [`Money::parse_decimal`] reads it back.
    pub fn to_decimal_string(&self) -> String {
        DecimalAmount(self).to_string()
    }
}

/// Formats only the number of a [`Money`], so `Display` and `to_decimal_string` share one path.
struct DecimalAmount<'a>(&'a Money);

impl fmt::Display for DecimalAmount<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let money = self.0;
        write_fixed(
            f,
            money.amount_minor < 0,
            u128::from(money.amount_minor.unsigned_abs()),
            money.currency.minor_unit_exponent(),
        )
    }
}

impl fmt::Display for Money {
    /// `125.00 EGP`, `1.250 JOD`: the decimals follow the currency's minor unit.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", DecimalAmount(self), self.currency)
    }
}

/// Why a weight could not be built or added. `code()` is the stable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeightError {
    #[error("the weight is too large to be represented")]
    Overflow,
    #[error("{found:?} is not a weight in kg (digits, optionally a point and up to 3 decimals)")]
    InvalidWeight { found: String },
    #[error("{found:?} has more than 3 decimals; weights are kept to the gram")]
    TooManyDecimals { found: String },
    #[error("a weight cannot be negative, found {found:?}")]
    Negative { found: String },
}

impl WeightError {
    /// The stable machine-readable name of the problem, as used by the CLI and the API.
    pub fn code(&self) -> &'static str {
        match self {
            WeightError::Overflow => "overflow",
            WeightError::InvalidWeight { .. } => "invalid_weight",
            WeightError::TooManyDecimals { .. } => "too_many_decimals",
            WeightError::Negative { .. } => "negative",
        }
    }
}

/// A weight in whole grams, the unit of the API and of every UPU message Barid writes.
///
/// `u32` reaches about 4,295 tonnes, far beyond any item, receptacle or dispatch. Serialises as
/// a bare integer number of grams.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Grams(u32);

impl Grams {
    pub const ZERO: Grams = Grams(0);

    pub const fn new(grams: u32) -> Self {
        Self(grams)
    }

    pub const fn get(&self) -> u32 {
        self.0
    }

    pub fn is_zero(&self) -> bool {
        self.0 == 0
    }

    /// Reads kilograms as decimal text with up to 3 decimals: `"1.25"` is 1250 g.
    pub fn parse_kg(text: &str) -> Result<Self, WeightError> {
        let grams = parse_fixed(text, 3).map_err(|error| match error {
            DecimalError::Format => WeightError::InvalidWeight {
                found: text.to_owned(),
            },
            DecimalError::TooManyDecimals => WeightError::TooManyDecimals {
                found: text.to_owned(),
            },
            DecimalError::Overflow => WeightError::Overflow,
        })?;
        if grams < 0 {
            return Err(WeightError::Negative {
                found: text.to_owned(),
            });
        }
        u32::try_from(grams)
            .map(Self)
            .map_err(|_| WeightError::Overflow)
    }

    pub fn checked_add(&self, other: Grams) -> Result<Grams, WeightError> {
        self.0
            .checked_add(other.0)
            .map(Grams)
            .ok_or(WeightError::Overflow)
    }
}

impl fmt::Display for Grams {
    /// Kilograms with 3 decimals, as printed on CN 22/CN 23 forms: `1.250 kg`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_fixed(f, false, u128::from(self.0), 3)?;
        f.write_str(" kg")
    }
}

impl From<Grams> for u32 {
    fn from(grams: Grams) -> u32 {
        grams.0
    }
}

/// Why an SDR rate could not be built or used. `code()` is the stable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdrRateError {
    #[error("{found:?} is not a decimal rate (digits, optionally a point and up to 6 decimals)")]
    InvalidRate { found: String },
    #[error("{found:?} has more than 6 decimals")]
    TooManyDecimals { found: String },
    #[error("an SDR rate must be more than zero, found {found:?}")]
    NotPositive { found: String },
    #[error("the SDR rate is too large to be represented")]
    Overflow,
    #[error("the SDR rate is for {rate} but the amount is in {amount}")]
    CurrencyMismatch { rate: Currency, amount: Currency },
}

impl SdrRateError {
    /// The stable machine-readable name of the problem, as used by the CLI and the API.
    pub fn code(&self) -> &'static str {
        match self {
            SdrRateError::InvalidRate { .. } => "invalid_rate",
            SdrRateError::TooManyDecimals { .. } => "too_many_decimals",
            SdrRateError::NotPositive { .. } => "not_positive",
            SdrRateError::Overflow => "overflow",
            SdrRateError::CurrencyMismatch { .. } => "sdr_rate_currency_mismatch",
        }
    }
}

/// What one SDR is worth in a currency, exactly, in millionths of the currency's major unit.
///
/// The IMF publishes SDR rates with 6 significant decimals, so `"64.871234"` EGP per SDR is
/// stored as 64 871 234 millionths of a pound and compared with integers only. The rate changes
/// over time: the caller picks the one in force (Barid loads them as reference data), this type
/// only does the arithmetic. Serialises as `{"currency": "EGP", "units_per_sdr": "64.871234"}`,
/// the rate as decimal text so no reader turns it into a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SdrRate {
    currency: Currency,
    micro_units_per_sdr: u64,
}

impl SdrRate {
    /// The number of decimals a rate is kept to.
    pub const DECIMALS: u8 = 6;

    /// Reads how many units of `currency` one SDR is worth, as decimal text with up to 6
    /// decimals: `SdrRate::parse("64.871234", Currency::EGP)`.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, SdrRateError> {
        let micro = parse_fixed(text, Self::DECIMALS).map_err(|error| match error {
            DecimalError::Format => SdrRateError::InvalidRate {
                found: text.to_owned(),
            },
            DecimalError::TooManyDecimals => SdrRateError::TooManyDecimals {
                found: text.to_owned(),
            },
            DecimalError::Overflow => SdrRateError::Overflow,
        })?;
        if micro <= 0 {
            return Err(SdrRateError::NotPositive {
                found: text.to_owned(),
            });
        }
        let micro_units_per_sdr = u64::try_from(micro).map_err(|_| SdrRateError::Overflow)?;
        Ok(Self {
            currency,
            micro_units_per_sdr,
        })
    }

    /// Builds from millionths of a unit: `from_micro_units(Currency::EGP, 64_871_234)`.
    pub fn from_micro_units(
        currency: Currency,
        micro_units_per_sdr: u64,
    ) -> Result<Self, SdrRateError> {
        if micro_units_per_sdr == 0 {
            return Err(SdrRateError::NotPositive {
                found: "0".to_owned(),
            });
        }
        Ok(Self {
            currency,
            micro_units_per_sdr,
        })
    }

    /// The rate of the SDR to itself: exactly 1.
    pub const fn sdr() -> Self {
        Self {
            currency: Currency::SDR,
            micro_units_per_sdr: 1_000_000,
        }
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn micro_units_per_sdr(&self) -> u64 {
        self.micro_units_per_sdr
    }

    /// The rate as decimal text with 6 decimals, e.g. `"64.871234"`.
    pub fn to_decimal_string(&self) -> String {
        RateAmount(self).to_string()
    }

    fn check_currency(&self, money: &Money) -> Result<(), SdrRateError> {
        if money.currency != self.currency {
            return Err(SdrRateError::CurrencyMismatch {
                rate: self.currency,
                amount: money.currency,
            });
        }
        Ok(())
    }

    /// Compares `money` with `sdr` whole SDR, exactly: `Less`, `Equal` or `Greater`.
    ///
    /// Both sides are brought to millionths of a minor unit in `i128`:
    /// `amount_minor * 10^6` against `sdr * micro_units_per_sdr * 10^exponent`. The largest
    /// possible values (about 9.3e24 and 7.9e32) are far below `i128::MAX` (1.7e38), so the
    /// comparison can neither round nor overflow.
    pub fn compare_with_sdr(&self, money: &Money, sdr: u32) -> Result<Ordering, SdrRateError> {
        self.check_currency(money)?;
        let amount = i128::from(money.amount_minor) * pow10(Self::DECIMALS);
        let threshold = i128::from(sdr)
            * i128::from(self.micro_units_per_sdr)
            * self.currency.minor_units_per_unit();
        Ok(amount.cmp(&threshold))
    }

    /// The largest amount in the rate's currency that is still no more than `sdr` SDR: the
    /// amount a counter can show as "300 SDR = 19,461.37 EGP".
    pub fn max_amount_within_sdr(&self, sdr: u32) -> Result<Money, SdrRateError> {
        // Same bounds as in `compare_with_sdr`; the division rounds down for positive values.
        let micro_minor = i128::from(sdr)
            * i128::from(self.micro_units_per_sdr)
            * self.currency.minor_units_per_unit();
        let amount_minor = i64::try_from(micro_minor / pow10(Self::DECIMALS))
            .map_err(|_| SdrRateError::Overflow)?;
        Ok(Money::new(amount_minor, self.currency))
    }
}

/// Formats only the number of an [`SdrRate`].
struct RateAmount<'a>(&'a SdrRate);

impl fmt::Display for RateAmount<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_fixed(
            f,
            false,
            u128::from(self.0.micro_units_per_sdr),
            SdrRate::DECIMALS,
        )
    }
}

impl fmt::Display for SdrRate {
    /// `1 SDR = 64.871234 EGP`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1 SDR = {} {}", RateAmount(self), self.currency)
    }
}

/// The serialised shape of an [`SdrRate`]; reading it goes through [`SdrRate::parse`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SdrRateRepr {
    currency: Currency,
    units_per_sdr: String,
}

impl Serialize for SdrRate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SdrRateRepr {
            currency: self.currency,
            units_per_sdr: self.to_decimal_string(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SdrRate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let repr = SdrRateRepr::deserialize(deserializer)?;
        Self::parse(&repr.units_per_sdr, repr.currency).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(text: &str, currency: Currency) -> Money {
        Money::parse_decimal(text, currency).unwrap()
    }

    #[test]
    fn currencies_parse_case_insensitively_with_their_exponents() {
        for (text, code, exponent) in [
            ("egp", "EGP", 2),
            (" JOD ", "JOD", 3),
            ("iqd", "IQD", 3),
            ("LYD", "LYD", 3),
            ("ils", "ILS", 2),
            ("USD", "USD", 2),
            ("JPY", "JPY", 0),
            ("xdr", "XDR", SDR_MINOR_UNIT_EXPONENT),
        ] {
            let currency = Currency::parse(text).unwrap();
            assert_eq!(currency.as_str(), code);
            assert_eq!(currency.minor_unit_exponent(), exponent, "{code}");
        }
        assert_eq!(Currency::parse("egp").unwrap(), Currency::EGP);
        assert!(Currency::SDR.is_sdr());
        assert!(!Currency::EGP.is_sdr());
        assert_eq!(Currency::EGP.name_en(), "Egyptian pound");
    }

    #[test]
    fn bad_currency_codes_have_their_own_codes() {
        let code = |text: &str| Currency::parse(text).unwrap_err().code();
        assert_eq!(code("EG"), "invalid_currency");
        assert_eq!(code("E1P"), "invalid_currency");
        assert_eq!(code("جني"), "invalid_currency");
        assert_eq!(code("QQQ"), "unknown_currency");
        assert_eq!(code("XAU"), "currency_without_minor_unit");
        assert_eq!(code("XXX"), "currency_without_minor_unit");
        assert_eq!(
            Currency::parse("qqq"),
            Err(CurrencyError::Unknown { code: "QQQ".into() })
        );
    }

    #[test]
    fn money_displays_with_the_currency_decimals() {
        assert_eq!(Money::new(12500, Currency::EGP).to_string(), "125.00 EGP");
        assert_eq!(Money::new(1250, Currency::JOD).to_string(), "1.250 JOD");
        assert_eq!(Money::new(5, Currency::EGP).to_string(), "0.05 EGP");
        assert_eq!(Money::new(-5, Currency::EGP).to_string(), "-0.05 EGP");
        assert_eq!(Money::new(-1, Currency::LYD).to_string(), "-0.001 LYD");
        assert_eq!(
            Money::new(1500, Currency::parse("JPY").unwrap()).to_string(),
            "1500 JPY"
        );
        assert_eq!(Money::new(30_000, Currency::SDR).to_string(), "300.00 XDR");
        assert_eq!(
            Money::new(i64::MIN, Currency::EGP).to_string(),
            "-92233720368547758.08 EGP"
        );
    }

    #[test]
    fn decimal_text_is_read_exactly() {
        assert_eq!(money("125.5", Currency::EGP).amount_minor(), 12550);
        assert_eq!(money("125", Currency::EGP).amount_minor(), 12500);
        assert_eq!(money(" 0.05 ", Currency::EGP).amount_minor(), 5);
        assert_eq!(money("1.25", Currency::JOD).amount_minor(), 1250);
        assert_eq!(money("0.001", Currency::IQD).amount_minor(), 1);
        assert_eq!(money("-3.10", Currency::EGP).amount_minor(), -310);
        assert_eq!(money("0.1", Currency::EGP).amount_minor(), 10);
        assert_eq!(
            money("92233720368547758.07", Currency::EGP).amount_minor(),
            i64::MAX
        );
    }

    #[test]
    fn bad_decimal_text_is_refused_with_a_reason() {
        let code = |text: &str, currency| Money::parse_decimal(text, currency).unwrap_err().code();
        assert_eq!(code("125.555", Currency::EGP), "too_many_decimals");
        assert_eq!(code("125.500", Currency::EGP), "too_many_decimals");
        assert_eq!(code("1.2345", Currency::JOD), "too_many_decimals");
        assert_eq!(
            code("1.0", Currency::parse("JPY").unwrap()),
            "too_many_decimals"
        );
        for bad in [
            "", "-", ".5", "5.", "1,250.00", "1 250", "+5", "1e3", "12.5.1", "١٢٥", "--1",
        ] {
            assert_eq!(code(bad, Currency::EGP), "invalid_amount", "{bad:?}");
        }
        assert_eq!(code("92233720368547758.08", Currency::EGP), "overflow");
        assert_eq!(code(&"9".repeat(60), Currency::EGP), "overflow");
        assert_eq!(
            Money::parse_decimal("1.2345", Currency::JOD),
            Err(MoneyError::TooManyDecimals {
                found: "1.2345".into(),
                currency: Currency::JOD,
                allowed: 3
            })
        );
    }

    #[test]
    fn addition_checks_currency_and_overflow() {
        let a = Money::new(12500, Currency::EGP);
        let b = Money::new(550, Currency::EGP);
        assert_eq!(a.checked_add(&b), Ok(Money::new(13050, Currency::EGP)));
        assert_eq!(
            a.checked_add(&Money::new(1, Currency::JOD)),
            Err(MoneyError::CurrencyMismatch {
                expected: Currency::EGP,
                found: Currency::JOD
            })
        );
        assert_eq!(
            Money::new(i64::MAX, Currency::EGP).checked_add(&Money::new(1, Currency::EGP)),
            Err(MoneyError::Overflow)
        );
        assert_eq!(MoneyError::Overflow.code(), "overflow");
    }

    #[test]
    fn sign_predicates() {
        assert!(Money::new(1, Currency::EGP).is_positive());
        assert!(!Money::zero(Currency::EGP).is_positive());
        assert!(Money::zero(Currency::EGP).is_zero());
        assert!(!Money::new(-1, Currency::EGP).is_positive());
        assert!(Money::new(-1, Currency::EGP).is_negative());
    }

    #[test]
    fn money_serde_matches_the_api_convention() {
        let json = serde_json::to_string(&Money::new(12500, Currency::EGP)).unwrap();
        assert_eq!(json, r#"{"amount_minor":12500,"currency":"EGP"}"#);
        let back: Money =
            serde_json::from_str(r#"{"amount_minor":1250,"currency":"jod"}"#).unwrap();
        assert_eq!(back, Money::new(1250, Currency::JOD));
        assert!(serde_json::from_str::<Money>(r#"{"amount_minor":1,"currency":"QQQ"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount_minor":1.5,"currency":"EGP"}"#).is_err());
        assert!(
            serde_json::from_str::<Money>(r#"{"amount_minor":1,"currency":"EGP","x":1}"#).is_err()
        );
    }

    #[test]
    fn grams_display_in_kg_and_add_with_checks() {
        assert_eq!(Grams::new(1250).to_string(), "1.250 kg");
        assert_eq!(Grams::new(5).to_string(), "0.005 kg");
        assert_eq!(Grams::ZERO.to_string(), "0.000 kg");
        assert_eq!(Grams::new(30_000).to_string(), "30.000 kg");
        assert_eq!(
            Grams::new(250).checked_add(Grams::new(750)),
            Ok(Grams::new(1000))
        );
        assert_eq!(
            Grams::new(u32::MAX).checked_add(Grams::new(1)),
            Err(WeightError::Overflow)
        );
        assert_eq!(serde_json::to_string(&Grams::new(1250)).unwrap(), "1250");
        assert_eq!(
            serde_json::from_str::<Grams>("1250").unwrap(),
            Grams::new(1250)
        );
    }

    #[test]
    fn kilograms_are_read_to_the_gram() {
        assert_eq!(Grams::parse_kg("1.25"), Ok(Grams::new(1250)));
        assert_eq!(Grams::parse_kg("0.005"), Ok(Grams::new(5)));
        assert_eq!(Grams::parse_kg("2"), Ok(Grams::new(2000)));
        let code = |text: &str| Grams::parse_kg(text).unwrap_err().code();
        assert_eq!(code("1.2345"), "too_many_decimals");
        assert_eq!(code("-1"), "negative");
        assert_eq!(code("1,5"), "invalid_weight");
        assert_eq!(code("4294968"), "overflow");
    }

    #[test]
    fn sdr_rates_are_exact() {
        let rate = SdrRate::parse("64.871234", Currency::EGP).unwrap();
        assert_eq!(rate.micro_units_per_sdr(), 64_871_234);
        assert_eq!(rate.currency(), Currency::EGP);
        assert_eq!(rate.to_string(), "1 SDR = 64.871234 EGP");
        assert_eq!(
            SdrRate::parse("0.97", Currency::JOD)
                .unwrap()
                .to_decimal_string(),
            "0.970000"
        );
        let code = |text: &str| SdrRate::parse(text, Currency::EGP).unwrap_err().code();
        assert_eq!(code("64.8712345"), "too_many_decimals");
        assert_eq!(code("0"), "not_positive");
        assert_eq!(code("-1.5"), "not_positive");
        assert_eq!(code("64,87"), "invalid_rate");
        assert_eq!(code("18446744073709.551616"), "overflow");
        assert_eq!(
            SdrRate::from_micro_units(Currency::EGP, 0)
                .unwrap_err()
                .code(),
            "not_positive"
        );
    }

    #[test]
    fn comparing_with_sdr_is_exact_on_the_boundary() {
        // 300 SDR at 64.871234 EGP is 19 461.3702 EGP: 19 461.37 is within, 19 461.38 is not.
        let egp = SdrRate::parse("64.871234", Currency::EGP).unwrap();
        assert_eq!(
            egp.max_amount_within_sdr(300).unwrap(),
            money("19461.37", Currency::EGP)
        );
        assert_eq!(
            egp.compare_with_sdr(&money("19461.37", Currency::EGP), 300),
            Ok(Ordering::Less)
        );
        assert_eq!(
            egp.compare_with_sdr(&money("19461.38", Currency::EGP), 300),
            Ok(Ordering::Greater)
        );
        // 300 SDR at 0.965 JOD is exactly 289.500 JOD.
        let jod = SdrRate::parse("0.965", Currency::JOD).unwrap();
        assert_eq!(
            jod.compare_with_sdr(&money("289.500", Currency::JOD), 300),
            Ok(Ordering::Equal)
        );
        assert_eq!(
            jod.compare_with_sdr(&money("289.501", Currency::JOD), 300),
            Ok(Ordering::Greater)
        );
        assert_eq!(
            jod.compare_with_sdr(&money("289.499", Currency::JOD), 300),
            Ok(Ordering::Less)
        );
        assert_eq!(
            jod.max_amount_within_sdr(300).unwrap(),
            money("289.5", Currency::JOD)
        );
        assert_eq!(
            SdrRate::sdr().compare_with_sdr(&Money::new(30_000, Currency::SDR), 300),
            Ok(Ordering::Equal)
        );
        assert_eq!(
            egp.compare_with_sdr(&Money::new(1, Currency::JOD), 300),
            Err(SdrRateError::CurrencyMismatch {
                rate: Currency::EGP,
                amount: Currency::JOD
            })
        );
    }

    #[test]
    fn extreme_rates_and_amounts_do_not_overflow_the_comparison() {
        let rate = SdrRate::from_micro_units(Currency::IQD, u64::MAX).unwrap();
        assert_eq!(
            rate.compare_with_sdr(&Money::new(i64::MAX, Currency::IQD), u32::MAX),
            Ok(Ordering::Less)
        );
        assert_eq!(
            rate.max_amount_within_sdr(u32::MAX),
            Err(SdrRateError::Overflow)
        );
    }

    #[test]
    fn sdr_rate_serde_goes_through_the_parser() {
        let rate = SdrRate::parse("64.871234", Currency::EGP).unwrap();
        let json = serde_json::to_string(&rate).unwrap();
        assert_eq!(json, r#"{"currency":"EGP","units_per_sdr":"64.871234"}"#);
        assert_eq!(serde_json::from_str::<SdrRate>(&json).unwrap(), rate);
        assert!(
            serde_json::from_str::<SdrRate>(r#"{"currency":"EGP","units_per_sdr":"0"}"#).is_err()
        );
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        proptest::sample::select(vec![
            Currency::EGP,
            Currency::JOD,
            Currency::IQD,
            Currency::LYD,
            Currency::ILS,
            Currency::USD,
            Currency::SDR,
            Currency::parse("JPY").unwrap(),
            Currency::parse("CLF").unwrap(),
        ])
    }

    proptest! {
        #[test]
        fn money_decimal_text_round_trips(amount in any::<i64>(), currency in any_currency()) {
            let original = Money::new(amount, currency);
            let text = original.to_decimal_string();
            prop_assert_eq!(Money::parse_decimal(&text, currency), Ok(original));
            prop_assert_eq!(original.to_string(), format!("{text} {currency}"));
        }

        #[test]
        fn money_serde_round_trips(amount in any::<i64>(), currency in any_currency()) {
            let original = Money::new(amount, currency);
            let json = serde_json::to_string(&original).unwrap();
            prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), original);
        }

        #[test]
        fn grams_kg_text_round_trips(grams in any::<u32>()) {
            let text = Grams::new(grams).to_string();
            let number = text.trim_end_matches(" kg");
            prop_assert_eq!(Grams::parse_kg(number), Ok(Grams::new(grams)));
        }

        #[test]
        fn sdr_rate_text_round_trips(micro in 1..=u64::MAX) {
            let rate = SdrRate::from_micro_units(Currency::EGP, micro).unwrap();
            prop_assert_eq!(SdrRate::parse(&rate.to_decimal_string(), Currency::EGP), Ok(rate));
        }

        #[test]
        fn parsing_money_never_panics(text in "\\PC{0,40}") {
            let _ = Money::parse_decimal(&text, Currency::JOD);
        }
    }
}
