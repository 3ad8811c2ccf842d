//! Where webhooks may point. A participant chooses its webhook URL and the hub then sends
//! requests there, so without a policy a participant could make the hub call services on the
//! operator's own network (server-side request forgery). Unless the operator allows private
//! targets (`webhook_private_targets`, for tests and receivers on loopback), the hub refuses:
//! - at registration, a URL that is not `https`, names a special-use host name (`localhost`,
//!   `*.internal` such as `metadata.google.internal`, `*.local`, a single label resolved
//!   through search domains; trailing dots ignored), or an address in any IANA
//!   special-purpose range, the IPv4-embedding IPv6 forms included ([`is_public`]);
//! - at delivery, a host name that resolves to such an address (checked in the resolver, so
//!   DNS cannot point a public name inward later: rebinding), and the registered URL again
//!   (registrations made under an older policy).
//!
//! The delivery client never uses a proxy (`HTTP_PROXY` would send the request, and the
//! address check, to the proxy) and follows no redirects.
//!
//! Written by hand: `Ipv4Addr::is_global` / `Ipv6Addr::is_global` are unstable in std, and the
//! tables below are the registries themselves, short enough to audit line by line.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a URL may not be a webhook target.
pub fn check_url(url: &str, private_allowed: bool) -> Result<(), String> {
    let parsed = Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    let scheme_ok = match parsed.scheme() {
        "https" => true,
        "http" => private_allowed,
        _ => false,
    };
    if !scheme_ok {
        return Err(if private_allowed {
            "expected an http:// or https:// URL".to_owned()
        } else {
            "expected an https:// URL (webhooks carry signed payment events)".to_owned()
        });
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| "the URL names no host".to_owned())?;
    if private_allowed {
        return Ok(());
    }
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    // The URL parser already turned numeric IPv4 forms (`2130706433`, `0x7f.1`) into dotted ones.
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return if is_public(ip) {
            Ok(())
        } else {
            Err(format!(
                "webhooks may not point at {ip} (a special-purpose address)"
            ))
        };
    }
    check_host_name(host)
}

/// Special-use domain names (RFC 6761, RFC 6762, RFC 8375, RFC 7686, ICANN's `.internal`) and
/// single labels, which resolvers complete with the server's own search domains.
fn check_host_name(host: &str) -> Result<(), String> {
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    let refused = || {
        Err(format!(
            "webhooks may not point at {host} (an internal host name)"
        ))
    };
    if !name.contains('.') {
        return refused();
    }
    const SPECIAL: [&str; 8] = [
        "localhost",
        "local",
        "internal",
        "home.arpa",
        "arpa",
        "onion",
        "invalid",
        "test",
    ];
    let special = SPECIAL
        .iter()
        .any(|s| name == *s || name.strip_suffix(s).is_some_and(|rest| rest.ends_with('.')));
    if special { refused() } else { Ok(()) }
}

/// Whether an address may be a webhook target: in no special-purpose range.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// IANA IPv4 Special-Purpose Address Registry, plus multicast (224.0.0.0/4, its own registry).
/// Entries marked globally reachable there (AS112, AMT) are refused too: no webhook lives there.
const SPECIAL_V4: [(Ipv4Addr, u8); 18] = [
    (Ipv4Addr::new(0, 0, 0, 0), 8),       // "this network"
    (Ipv4Addr::new(10, 0, 0, 0), 8),      // private
    (Ipv4Addr::new(100, 64, 0, 0), 10),   // shared address space (CGN)
    (Ipv4Addr::new(127, 0, 0, 0), 8),     // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16),  // link local (cloud metadata services)
    (Ipv4Addr::new(172, 16, 0, 0), 12),   // private
    (Ipv4Addr::new(192, 0, 0, 0), 24),    // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 2, 0), 24),    // documentation (TEST-NET-1)
    (Ipv4Addr::new(192, 31, 196, 0), 24), // AS112-v4
    (Ipv4Addr::new(192, 52, 193, 0), 24), // AMT
    (Ipv4Addr::new(192, 88, 99, 0), 24),  // deprecated 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16),  // private
    (Ipv4Addr::new(192, 175, 48, 0), 24), // direct delegation AS112
    (Ipv4Addr::new(198, 18, 0, 0), 15),   // benchmarking
    (Ipv4Addr::new(198, 51, 100, 0), 24), // documentation (TEST-NET-2)
    (Ipv4Addr::new(203, 0, 113, 0), 24),  // documentation (TEST-NET-3)
    (Ipv4Addr::new(224, 0, 0, 0), 4),     // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4),     // reserved, limited broadcast included
];

/// IANA IPv6 Special-Purpose Address Registry entries inside global unicast `2000::/3`;
/// everything outside `2000::/3` is refused as a whole (loopback, unspecified, IPv4-mapped
/// `::ffff:0:0/96`, IPv4-compatible `::/96` such as `::127.0.0.1`, NAT64 `64:ff9b::/96` and
/// `64:ff9b:1::/48`, discard `100::/64`, SRv6 `5f00::/16`, unique local `fc00::/7`, link
/// local `fe80::/10`, site local `fec0::/10`, multicast `ff00::/8`).
const SPECIAL_V6: [(Ipv6Addr, u8); 5] = [
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23), // IETF protocol assignments, Teredo
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16), // 6to4 (embeds any IPv4 address)
    (Ipv6Addr::new(0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0), 48), // direct delegation AS112
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20), // documentation
];

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let bits = u32::from(ip);
    !SPECIAL_V4.iter().any(|&(net, len)| {
        let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
        bits & mask == u32::from(net)
    })
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let bits = u128::from(ip);
    let global_unicast = bits >> 125 == 0b001;
    global_unicast
        && !SPECIAL_V6.iter().any(|&(net, len)| {
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            bits & mask == u128::from(net)
        })
}

/// The delivery client's resolver: the system's, keeping public addresses only.
pub struct PublicOnly;

impl PublicOnly {
    pub fn shared() -> Arc<Self> {
        Arc::new(PublicOnly)
    }
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| is_public(addr.ip()))
                .collect();
            if found.is_empty() {
                let refused = format!("{host} resolves to no public address");
                return Err(refused.into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_targets_are_refused_unless_allowed() {
        for url in [
            "https://localhost:8080/hook",
            "https://localhost./hook",
            "https://a.localhost/hook",
            "https://metadata.google.internal/computeMetadata/v1/",
            "https://metadata/hook",
            "https://printer.local/hook",
            "https://127.0.0.1/hook",
            "https://2130706433/hook",
            "https://10.1.2.3/hook",
            "https://192.168.0.1/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/hook",
            "https://198.18.0.1/hook",
            "https://240.0.0.1/hook",
            "https://255.255.255.255/hook",
            "https://224.0.0.1/hook",
            "https://[::1]/hook",
            "https://[::]/hook",
            "https://[fd00::1]/hook",
            "https://[fe80::1]/hook",
            "https://[fec0::1]/hook",
            "https://[ff02::1]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://[::ffff:8.8.8.8]/hook",
            "https://[::127.0.0.1]/hook",
            "https://[64:ff9b::7f00:1]/hook",
            "https://[64:ff9b:1::1]/hook",
            "https://[2002:7f00:1::]/hook",
            "https://[2001::1]/hook",
            "https://[2001:db8::1]/hook",
            "https://[3fff::1]/hook",
            "https://0.0.0.0/hook",
        ] {
            assert!(check_url(url, false).is_err(), "{url} refused");
            assert_eq!(
                check_url(url, true),
                Ok(()),
                "{url} allowed by the operator"
            );
        }
        for url in [
            "https://hooks.bank.example/kliring",
            "https://hooks.bank.example./kliring",
            "https://203.0.113.9.nip.io/x",
            "https://8.8.8.8/hook",
            "https://[2606:4700::1111]/hook",
        ] {
            assert_eq!(check_url(url, false), Ok(()), "{url}");
        }
        assert!(check_url("ftp://hooks.bank.example/", true).is_err());
    }

    #[test]
    fn plain_http_needs_the_operator_flag() {
        let url = "http://hooks.bank.example/kliring";
        assert!(check_url(url, false).is_err());
        assert_eq!(check_url(url, true), Ok(()));
    }

    #[test]
    fn ranges_match_at_their_edges_only() {
        let v4 = |s: &str| is_public(s.parse().expect("address"));
        assert!(!v4("198.19.255.255") && v4("198.20.0.0") && v4("198.17.255.255"));
        assert!(!v4("172.31.255.255") && v4("172.32.0.0"));
        assert!(!v4("100.127.255.255") && v4("100.128.0.0"));
        assert!(v4("2001:200::1") && !v4("2001:1ff::1"));
        assert!(v4("2003::1") && !v4("2002:ffff::1"));
        assert!(!v4("4000::1"), "outside 2000::/3");
    }
}
