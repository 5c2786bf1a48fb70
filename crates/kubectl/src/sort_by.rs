//! `kubectl get --sort-by=FIELD`: kubectl's `RuntimeSort`/`TableSorter`
//! (`pkg/cmd/get/sorter.go`). Each object is keyed by the first result of the
//! JSONPath; keys compare as kubectl's `isLess` compares unstructured values
//! (numbers as numbers, strings as quantities when both parse, else bytes; a
//! missing key first); and the order is Go's `sort.Sort`, which is not stable,
//! so objects with equal keys come out in the order Go's pattern-defeating
//! quicksort leaves them, exactly.

use std::cmp::Ordering;

use daemonlab_core::api::quantity::Quantity;
use serde_json::Value;

use crate::jsonpath::{relaxed_expression, Template};

pub struct SortBy {
    /// The relaxed expression as kubectl words it in errors: `{.metadata.name}`.
    field: String,
    template: Template,
}

impl SortBy {
    pub fn parse(text: &str) -> Result<SortBy, String> {
        // kubectl falls back to the text as given when it is not relaxed JSONPath.
        let field = relaxed_expression(text).unwrap_or_else(|_| text.to_string());
        let template = Template::parse(&field).map_err(|e| format!("error: {e}"))?;
        Ok(SortBy { field, template })
    }

    /// `couldn't find any field with path …`.
    pub fn not_found(&self) -> String {
        format!(
            "error: couldn't find any field with path \"{}\" in the list of objects",
            self.field
        )
    }

    /// Whether the path names a field of a server-side Table itself.
    pub fn is_table_field(&self) -> bool {
        [
            "{.kind",
            "{.apiVersion",
            "{.metadata.resourceVersion",
            "{.columnDefinitions",
            "{.rows",
        ]
        .iter()
        .any(|prefix| self.field.starts_with(prefix))
    }

    /// The key of one object: the first value the path finds, if any.
    fn key(&self, object: &Value) -> Option<Value> {
        let results = self.template.find(object).ok()?;
        results.first()?.first().map(|v| v.clone().into_owned())
    }

    /// Sorts `items` by the field of `json(item)`. Fails as kubectl does when
    /// no item has the field, or when two values cannot be compared.
    pub fn sort<T>(&self, items: &mut Vec<T>, json: impl Fn(&T) -> Value) -> Result<(), String> {
        if items.is_empty() {
            return Ok(());
        }
        let keys: Vec<Option<Value>> = items.iter().map(|item| self.key(&json(item))).collect();
        if keys.iter().all(Option::is_none) {
            return Err(self.not_found());
        }
        let mut entries: Vec<(Option<Value>, T)> = keys.into_iter().zip(items.drain(..)).collect();
        let mut failure: Option<String> = None;
        go_sort(&mut entries, &mut |a, b| match (&a.0, &b.0) {
            (None, _) => true,
            (_, None) => false,
            (Some(a), Some(b)) => is_less(a, b).unwrap_or_else(|e| {
                failure.get_or_insert(e);
                false
            }),
        });
        if let Some(error) = failure {
            return Err(format!(
                "error: Field {} is an unsortable type: interface, err: {error}",
                self.field
            ));
        }
        items.extend(entries.into_iter().map(|(_, item)| item));
        Ok(())
    }
}

/// `isLess` on two unstructured values (Go `interface{}`s).
fn is_less(a: &Value, b: &Value) -> Result<bool, String> {
    match (a, b) {
        (Value::Null, Value::Null) => Ok(false),
        (Value::Null, _) => Ok(true),
        (_, Value::Null) => Ok(false),
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => Ok(x < y),
            (None, None) => Ok(x.as_f64() < y.as_f64()),
            _ => Err("unsortable interface: interface".to_string()),
        },
        (Value::String(x), Value::String(y)) => match (Quantity::parse(x), Quantity::parse(y)) {
            (Ok(qx), Ok(qy)) => Ok(qx.cmp(&qy) == Ordering::Less),
            _ => Ok(x < y),
        },
        (Value::String(_) | Value::Number(_), _) => {
            Err("unsortable interface: interface".to_string())
        }
        (Value::Bool(_), _) => Err("unsortable type: bool".to_string()),
        (Value::Object(_), _) => Err("unsortable type: map[string]interface {}".to_string()),
        (Value::Array(_), _) => Err("unsortable type: []interface {}".to_string()),
    }
}

/// Go's `sort.Sort` (pattern-defeating quicksort, `sort/zsortinterface.go`),
/// step for step, so that equal keys end where Go leaves them.
pub fn go_sort<T>(data: &mut [T], less: &mut impl FnMut(&T, &T) -> bool) {
    let n = data.len();
    if n <= 1 {
        return;
    }
    let limit = bit_length(n);
    pdqsort(data, 0, n, limit, less);
}

fn bit_length(n: usize) -> usize {
    (usize::BITS - n.leading_zeros()) as usize
}

fn lt<T>(data: &[T], i: usize, j: usize, less: &mut impl FnMut(&T, &T) -> bool) -> bool {
    less(&data[i], &data[j])
}

fn insertion_sort<T>(data: &mut [T], a: usize, b: usize, less: &mut impl FnMut(&T, &T) -> bool) {
    for i in a + 1..b {
        let mut j = i;
        while j > a && lt(data, j, j - 1, less) {
            data.swap(j, j - 1);
            j -= 1;
        }
    }
}

fn sift_down<T>(
    data: &mut [T],
    lo: usize,
    hi: usize,
    first: usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) {
    let mut root = lo;
    loop {
        let mut child = 2 * root + 1;
        if child >= hi {
            return;
        }
        if child + 1 < hi && lt(data, first + child, first + child + 1, less) {
            child += 1;
        }
        if !lt(data, first + root, first + child, less) {
            return;
        }
        data.swap(first + root, first + child);
        root = child;
    }
}

fn heap_sort<T>(data: &mut [T], a: usize, b: usize, less: &mut impl FnMut(&T, &T) -> bool) {
    let first = a;
    let hi = b - a;
    for i in (0..=(hi - 1) / 2).rev() {
        sift_down(data, i, hi, first, less);
    }
    for i in (0..hi).rev() {
        data.swap(first, first + i);
        sift_down(data, 0, i, first, less);
    }
}

#[derive(PartialEq)]
enum Hint {
    Unknown,
    Increasing,
    Decreasing,
}

fn pdqsort<T>(
    data: &mut [T],
    mut a: usize,
    mut b: usize,
    mut limit: usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) {
    const MAX_INSERTION: usize = 12;
    let mut was_balanced = true;
    let mut was_partitioned = true;
    loop {
        let length = b - a;
        if length <= MAX_INSERTION {
            insertion_sort(data, a, b, less);
            return;
        }
        if limit == 0 {
            heap_sort(data, a, b, less);
            return;
        }
        if !was_balanced {
            break_patterns(data, a, b);
            limit -= 1;
        }
        let (mut pivot, mut hint) = choose_pivot(data, a, b, less);
        if hint == Hint::Decreasing {
            data[a..b].reverse();
            pivot = (b - 1) - (pivot - a);
            hint = Hint::Increasing;
        }
        if was_balanced
            && was_partitioned
            && hint == Hint::Increasing
            && partial_insertion_sort(data, a, b, less)
        {
            return;
        }
        if a > 0 && !lt(data, a - 1, pivot, less) {
            a = partition_equal(data, a, b, pivot, less);
            continue;
        }
        let (mid, already) = partition(data, a, b, pivot, less);
        was_partitioned = already;
        let (left, right) = (mid - a, b - mid);
        let balance_threshold = length / 8;
        if left < right {
            was_balanced = left >= balance_threshold;
            pdqsort(data, a, mid, limit, less);
            a = mid + 1;
        } else {
            was_balanced = right >= balance_threshold;
            pdqsort(data, mid + 1, b, limit, less);
            b = mid;
        }
    }
}

fn partition<T>(
    data: &mut [T],
    a: usize,
    b: usize,
    pivot: usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) -> (usize, bool) {
    data.swap(a, pivot);
    // Signed: `j` may step below `a + 1` before the loops stop.
    let (mut i, mut j) = (a as isize + 1, b as isize - 1);
    let at = |k: isize| k as usize;
    while i <= j && lt(data, at(i), a, less) {
        i += 1;
    }
    while i <= j && !lt(data, at(j), a, less) {
        j -= 1;
    }
    if i > j {
        data.swap(at(j), a);
        return (at(j), true);
    }
    data.swap(at(i), at(j));
    i += 1;
    j -= 1;
    loop {
        while i <= j && lt(data, at(i), a, less) {
            i += 1;
        }
        while i <= j && !lt(data, at(j), a, less) {
            j -= 1;
        }
        if i > j {
            break;
        }
        data.swap(at(i), at(j));
        i += 1;
        j -= 1;
    }
    data.swap(at(j), a);
    (at(j), false)
}

fn partition_equal<T>(
    data: &mut [T],
    a: usize,
    b: usize,
    pivot: usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) -> usize {
    data.swap(a, pivot);
    let (mut i, mut j) = (a as isize + 1, b as isize - 1);
    let at = |k: isize| k as usize;
    loop {
        while i <= j && !lt(data, a, at(i), less) {
            i += 1;
        }
        while i <= j && lt(data, a, at(j), less) {
            j -= 1;
        }
        if i > j {
            break;
        }
        data.swap(at(i), at(j));
        i += 1;
        j -= 1;
    }
    at(i)
}

fn partial_insertion_sort<T>(
    data: &mut [T],
    a: usize,
    b: usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) -> bool {
    const MAX_STEPS: usize = 5;
    const SHORTEST_SHIFTING: usize = 50;
    let mut i = a + 1;
    for _ in 0..MAX_STEPS {
        while i < b && !lt(data, i, i - 1, less) {
            i += 1;
        }
        if i == b {
            return true;
        }
        if b - a < SHORTEST_SHIFTING {
            return false;
        }
        data.swap(i, i - 1);
        if i - a >= 2 {
            let mut j = i - 1;
            while j >= 1 && lt(data, j, j - 1, less) {
                data.swap(j, j - 1);
                j -= 1;
            }
        }
        if b - i >= 2 {
            let mut j = i + 1;
            while j < b && lt(data, j, j - 1, less) {
                data.swap(j, j - 1);
                j += 1;
            }
        }
    }
    false
}

fn break_patterns<T>(data: &mut [T], a: usize, b: usize) {
    let length = b - a;
    if length >= 8 {
        // Go's xorshift, seeded with the length (shifts 13, 7, 17 since
        // golang/go#70144).
        let mut random = length as u64;
        let modulus = 1usize << bit_length(length);
        let start = a + (length / 4) * 2 - 1;
        for idx in start..=start + 2 {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            let mut other = (random as usize) & (modulus - 1);
            if other >= length {
                other -= length;
            }
            data.swap(idx, a + other);
        }
    }
}

fn choose_pivot<T>(
    data: &mut [T],
    a: usize,
    b: usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) -> (usize, Hint) {
    const SHORTEST_NINTHER: usize = 50;
    const MAX_SWAPS: usize = 4 * 3;
    let l = b - a;
    let mut swaps = 0;
    let mut i = a + l / 4;
    let mut j = a + l / 4 * 2;
    let mut k = a + l / 4 * 3;
    if l >= 8 {
        if l >= SHORTEST_NINTHER {
            i = median(data, i - 1, i, i + 1, &mut swaps, less);
            j = median(data, j - 1, j, j + 1, &mut swaps, less);
            k = median(data, k - 1, k, k + 1, &mut swaps, less);
        }
        j = median(data, i, j, k, &mut swaps, less);
    }
    let hint = match swaps {
        0 => Hint::Increasing,
        MAX_SWAPS => Hint::Decreasing,
        _ => Hint::Unknown,
    };
    (j, hint)
}

fn order2<T>(
    data: &[T],
    a: usize,
    b: usize,
    swaps: &mut usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) -> (usize, usize) {
    if lt(data, b, a, less) {
        *swaps += 1;
        (b, a)
    } else {
        (a, b)
    }
}

fn median<T>(
    data: &[T],
    a: usize,
    b: usize,
    c: usize,
    swaps: &mut usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) -> usize {
    let (a, b) = order2(data, a, b, swaps, less);
    let (b, _) = order2(data, b, c, swaps, less);
    let (_, b) = order2(data, a, b, swaps, less);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_sort_sorts_whatever_the_input() {
        // A spread of shapes: sorted, reversed, sawtooth, few distinct keys,
        // long enough to reach the ninther, the pattern breaking and heapsort.
        let mut seed: u64 = 7;
        for n in [0, 1, 2, 5, 12, 13, 40, 49, 50, 51, 100, 257, 1000] {
            let shapes: Vec<Vec<u32>> = vec![
                (0..n).collect(),
                (0..n).rev().collect(),
                (0..n).map(|i| i % 7).collect(),
                (0..n).map(|i| if i % 2 == 0 { i } else { n - i }).collect(),
                (0..n)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        (seed % 1000) as u32
                    })
                    .collect(),
            ];
            for mut values in shapes {
                let mut expected = values.clone();
                expected.sort_unstable();
                go_sort(&mut values, &mut |a, b| a < b);
                assert_eq!(values, expected, "n = {n}");
            }
        }
    }

    #[test]
    fn values_compare_as_kubectl_compares_them() {
        let less = |a: Value, b: Value| is_less(&a, &b).unwrap();
        assert!(less("100m".into(), "1".into()));
        assert!(less("2Gi".into(), "3000Mi".into()));
        assert!(less("worker-10".into(), "worker-2".into()));
        assert!(less(Value::Null, "a".into()));
        assert!(less(2.into(), 10.into()));
        assert!(is_less(&true.into(), &false.into()).is_err());
    }
}
