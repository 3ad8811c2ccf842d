//! Pictures rendered on the server as inline SVG: no script, and only presentation attributes
//! (the content policy forbids inline styles). Amounts arrive as the API's decimal strings;
//! they become pixel lengths here and nowhere else (geometry, not money).

use maud::{Markup, html};

use super::render::money;

/// One bar of the net position chart: a participant's position in one currency against its
/// net debit cap.
pub struct PositionBar {
    pub label: String,
    /// Decimal, negative when the participant owes.
    pub position: String,
    /// Decimal, the most it may owe.
    pub cap: String,
    pub currency: String,
}

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 220.0;
const ROW_HEIGHT: f64 = 26.0;
const BAR_HEIGHT: f64 = 14.0;

fn number(decimal: &str) -> f64 {
    decimal.parse::<f64>().unwrap_or(0.0)
}

/// Net positions against caps, one row per participant and currency: the bar grows left of
/// the zero line as the participant owes, right as it is owed, scaled so that the largest cap
/// or position fills half the width; a tick marks the cap. A bar past its cap is drawn in the
/// alarm colour. Each row says its figures in words for screen readers and for a tooltip.
pub fn positions(bars: &[PositionBar]) -> Markup {
    let half = (WIDTH - LABEL_WIDTH) / 2.0;
    let scale_max = bars
        .iter()
        .flat_map(|b| [number(&b.position).abs(), number(&b.cap).abs()])
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let zero = LABEL_WIDTH + half;
    let rows = u32::try_from(bars.len()).unwrap_or(u32::MAX);
    let height = ROW_HEIGHT * f64::from(rows) + 20.0;
    html! {
        svg.chart role="img" width=(WIDTH) height=(height) viewBox={ "0 0 " (WIDTH) " " (height) }
            aria-label="Net positions against net debit caps" {
            title { "Net positions against net debit caps" }
            line x1=(zero) y1="0" x2=(zero) y2=(height - 16.0) stroke="#555" stroke-width="1" {}
            text x=(zero - 4.0) y=(height - 4.0) text-anchor="end" font-size="11" fill="#555" { "owes ←" }
            text x=(zero + 4.0) y=(height - 4.0) font-size="11" fill="#555" { "→ is owed" }
            @for (i, bar) in bars.iter().enumerate() {
                @let y = ROW_HEIGHT * f64::from(u32::try_from(i).unwrap_or(u32::MAX));
                @let position = number(&bar.position);
                @let cap = number(&bar.cap).abs();
                @let length = position.abs() / scale_max * half;
                @let x = if position < 0.0 { zero - length } else { zero };
                @let over = position < 0.0 && -position > cap;
                @let words = format!("{}: position {}, cap {}", bar.label, money(&bar.position, &bar.currency), money(&bar.cap, &bar.currency));
                g {
                    title { (words) }
                    text x="0" y=(y + 15.0) font-size="12" fill="#222" { (bar.label) " " (bar.currency) }
                    rect x=(x) y=(y + 4.0) width=(length.max(1.0)) height=(BAR_HEIGHT)
                        fill=(if over { "#b3261e" } else if position < 0.0 { "#c77700" } else { "#2e7d32" }) {}
                    @let cap_x = zero - cap / scale_max * half;
                    line x1=(cap_x) y1=(y + 1.0) x2=(cap_x) y2=(y + 4.0 + BAR_HEIGHT + 3.0)
                        stroke="#222" stroke-width="2" {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, position: &str, cap: &str) -> PositionBar {
        PositionBar {
            label: label.into(),
            position: position.into(),
            cap: cap.into(),
            currency: "KES".into(),
        }
    }

    #[test]
    fn bars_grow_from_zero_and_mark_a_breached_cap() {
        let svg = positions(&[
            bar("Alpha Bank", "-500.00", "1000.00"),
            bar("Beta Bank", "500.00", "1000.00"),
            bar("Gamma Bank", "-1500.00", "1000.00"),
        ])
        .into_string();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(
            !svg.contains("style="),
            "inline styles are refused by the CSP"
        );
        // Largest figure 1,500 fills half of 420 px: 500 is 70 px.
        assert!(svg.contains(r#"x="360" y="4" width="70""#), "{svg}");
        assert!(svg.contains(r#"x="430" y="30" width="70""#), "{svg}");
        assert_eq!(svg.matches("#b3261e").count(), 1, "one breach: {svg}");
        assert!(svg.contains("Gamma Bank: position -1,500.00 KES, cap 1,000.00 KES"));
    }

    #[test]
    fn escapes_labels_and_survives_no_rows() {
        let svg = positions(&[bar("<b>x</b>", "0.00", "0.00")]).into_string();
        assert!(svg.contains("&lt;b&gt;x&lt;/b&gt;") && !svg.contains("<b>"));
        assert!(positions(&[]).into_string().starts_with("<svg"));
    }
}
