//! `resource.Quantity`: parsing (`100m`, `0.15`, `64Mi`, `1e3`) and the canonical
//! form the API server stores (`0.15` → `150m`, `1024Mi` → `1Gi`).

use std::cmp::Ordering;
use std::fmt;

/// The regular expression the API server names when it refuses a quantity.
pub const QUANTITY_SYNTAX: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    DecimalSi,
    BinarySi,
    DecimalExponent,
}

/// A quantity held in thousandths of its unit (millicores, millibytes), rounded up
/// to the nearest thousandth as Kubernetes does for `MilliValue`.
#[derive(Clone, Copy, Debug)]
pub struct Quantity {
    milli: i128,
    format: Format,
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.milli == other.milli
    }
}
impl Eq for Quantity {}
impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.milli.cmp(&other.milli)
    }
}

impl Quantity {
    pub fn zero() -> Self {
        Quantity {
            milli: 0,
            format: Format::DecimalSi,
        }
    }

    pub fn milli(&self) -> i128 {
        self.milli
    }

    /// The value in whole units, rounded up (bytes, pods, cores).
    pub fn value(&self) -> i128 {
        self.milli.div_euclid(1000) + i128::from(self.milli.rem_euclid(1000) != 0)
    }

    /// `resource.NewQuantity(q.Value(), other.Format)`: this quantity in
    /// whole units, written in the other's format.
    pub fn whole_in_format_of(&self, other: &Quantity) -> Quantity {
        Quantity {
            milli: self.value() * 1000,
            format: other.format,
        }
    }

    pub fn add(&self, other: &Quantity) -> Quantity {
        Quantity {
            milli: self.milli + other.milli,
            format: self.format,
        }
    }

    pub fn sub(&self, other: &Quantity) -> Quantity {
        Quantity {
            milli: self.milli - other.milli,
            format: self.format,
        }
    }

    pub fn parse(text: &str) -> Result<Quantity, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
            .unwrap_or(text.len());
        let (number, suffix) = text.split_at(split);
        let (negative, digits) = match number.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, number.strip_prefix('+').unwrap_or(number)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let valid_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if digits.is_empty()
            || (whole.is_empty() && fraction.is_empty())
            || !valid_digits(whole)
            || !valid_digits(fraction)
        {
            return Err(QUANTITY_SYNTAX.to_string());
        }
        let (base, exponent, format): (i128, i32, Format) = match suffix {
            "" => (1, 0, Format::DecimalSi),
            "n" => (1, -9, Format::DecimalSi),
            "u" => (1, -6, Format::DecimalSi),
            "m" => (1, -3, Format::DecimalSi),
            "k" => (1, 3, Format::DecimalSi),
            "M" => (1, 6, Format::DecimalSi),
            "G" => (1, 9, Format::DecimalSi),
            "T" => (1, 12, Format::DecimalSi),
            "P" => (1, 15, Format::DecimalSi),
            "E" => (1, 18, Format::DecimalSi),
            "Ki" => (1 << 10, 0, Format::BinarySi),
            "Mi" => (1 << 20, 0, Format::BinarySi),
            "Gi" => (1 << 30, 0, Format::BinarySi),
            "Ti" => (1 << 40, 0, Format::BinarySi),
            "Pi" => (1 << 50, 0, Format::BinarySi),
            "Ei" => (1 << 60, 0, Format::BinarySi),
            // `1e3`, `1E-3`: a decimal exponent (a bare `E` is exa, above).
            s if s.starts_with(['e', 'E']) => match s[1..].parse::<i32>() {
                Ok(e) if (-30..=30).contains(&e) => (1, e, Format::DecimalExponent),
                _ => return Err(QUANTITY_SYNTAX.to_string()),
            },
            _ => return Err(QUANTITY_SYNTAX.to_string()),
        };
        // value = whole.fraction × base × 10^exponent, in thousandths, rounded up.
        let mantissa_digits = format!("{whole}{fraction}");
        let mantissa: i128 = mantissa_digits.trim_start_matches('0').parse().unwrap_or(0);
        if mantissa_digits.len() > 30 {
            return Err(QUANTITY_SYNTAX.to_string());
        }
        let scale = exponent + 3 - fraction.len() as i32;
        let scaled = mantissa * base;
        let milli = if scale >= 0 {
            scaled * 10_i128.pow(scale.unsigned_abs())
        } else {
            let divisor = 10_i128.pow(scale.unsigned_abs().min(38));
            scaled / divisor + i128::from(scaled % divisor != 0)
        };
        Ok(Quantity {
            milli: if negative { -milli } else { milli },
            format,
        })
    }

    /// The canonical string the API server stores and prints.
    pub fn canonical(&self) -> String {
        let negative = self.milli < 0;
        let milli = self.milli.abs();
        let sign = if negative { "-" } else { "" };
        if milli == 0 {
            return "0".to_string();
        }
        if milli % 1000 != 0 {
            return format!("{sign}{milli}m");
        }
        let units = milli / 1000;
        match self.format {
            Format::BinarySi => {
                let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
                let mut value = units;
                let mut i = 0;
                while i + 1 < suffixes.len() && value % 1024 == 0 {
                    value /= 1024;
                    i += 1;
                }
                format!("{sign}{value}{}", suffixes[i])
            }
            Format::DecimalSi | Format::DecimalExponent => {
                let suffixes: [&str; 7] = if self.format == Format::DecimalSi {
                    ["", "k", "M", "G", "T", "P", "E"]
                } else {
                    ["", "e3", "e6", "e9", "e12", "e15", "e18"]
                };
                let mut value = units;
                let mut i = 0;
                while i + 1 < suffixes.len() && value % 1000 == 0 {
                    value /= 1000;
                    i += 1;
                }
                format!("{sign}{value}{}", suffixes[i])
            }
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        Quantity::parse(s)
            .map(|q| q.canonical())
            .unwrap_or_else(|e| e)
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canon("0.15"), "150m");
        assert_eq!(canon("50m"), "50m");
        assert_eq!(canon("1"), "1");
        assert_eq!(canon("1000m"), "1");
        assert_eq!(canon("1500m"), "1500m");
        assert_eq!(canon("2000"), "2k");
        assert_eq!(canon("64Mi"), "64Mi");
        assert_eq!(canon("1024Mi"), "1Gi");
        assert_eq!(canon("0.5Gi"), "512Mi");
        assert_eq!(canon("1000Mi"), "1000Mi");
        assert_eq!(canon("1G"), "1G");
        assert_eq!(canon("500M"), "500M");
        assert_eq!(canon("1e3"), "1e3");
        assert_eq!(canon("0"), "0");
        assert_eq!(canon("16Gi"), "16Gi");
    }

    #[test]
    fn values_compare_across_suffixes() {
        let q = |s| Quantity::parse(s).expect(s);
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert!(q("100m") < q("0.2"));
        assert_eq!(q("64Mi").value(), 64 * 1024 * 1024);
        assert_eq!(q("150m").milli(), 150);
        assert_eq!(q("1.5").milli(), 1500);
        assert_eq!(q("0.1m").milli(), 1, "rounded up to a thousandth");
    }

    #[test]
    fn malformed_quantities_are_refused() {
        for bad in ["", "abc", "1.2.3", "10Mb", "1x", "."] {
            assert_eq!(canon(bad), QUANTITY_SYNTAX, "{bad}");
        }
    }
}
