//! Where webhooks may point. A participant chooses its webhook URL and the hub then sends
//! requests there, so without a policy a participant could make the hub call services on the
//! operator's own network (server-side request forgery). Unless the operator allows private
//! targets (`webhook_private_targets`), the hub refuses, at registration, a URL naming
//! `localhost` or a non-public IP address, and at delivery, a host name that resolves to one
//! (checked in the resolver, so DNS cannot point a public name inward later). Redirects are
//! not followed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a URL may not be a webhook target.
pub fn check_url(url: &str, private_allowed: bool) -> Result<(), String> {
    let parsed = Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("expected an http:// or https:// URL".to_owned());
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| "the URL names no host".to_owned())?;
    if private_allowed {
        return Ok(());
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return Err("webhooks may not point at this host".to_owned());
    }
    match host.parse::<IpAddr>() {
        Ok(ip) if !is_public(ip) => Err(format!("webhooks may not point at {ip}")),
        _ => Ok(()),
    }
}

/// Whether an address is reachable on the public internet (not loopback, private, link-local,
/// shared, documentation, multicast or unspecified).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b); // 100.64.0.0/10, carrier-grade NAT
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || shared
        || a == 0)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let unique_local = (first & 0xfe00) == 0xfc00; // fc00::/7
    let link_local = (first & 0xffc0) == 0xfe80; // fe80::/10
    !(ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() || unique_local || link_local)
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
            "http://localhost:8080/hook",
            "http://127.0.0.1/hook",
            "http://10.1.2.3/hook",
            "http://192.168.0.1/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/hook",
            "http://[::1]/hook",
            "http://[fd00::1]/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://0.0.0.0/hook",
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
            "http://203.0.113.9.nip.io/x",
        ] {
            assert_eq!(check_url(url, false), Ok(()), "{url}");
        }
        assert!(check_url("ftp://hooks.bank.example/", true).is_err());
        assert!(check_url("https://8.8.8.8/hook", false).is_ok());
    }
}
