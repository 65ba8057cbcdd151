package auth

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// ParseProxies reads the trusted reverse proxies: CIDR prefixes or single
// addresses, separated by commas or spaces. An empty string is none.
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or a CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// ClientAddr is the address a request came from, for limits and logs.
// It is the direct peer's (remoteAddr, host:port) unless the peer is one
// of the trusted proxies; then it is the right-most address in the
// X-Forwarded-For values that is not a trusted proxy. Each proxy appends
// the address it saw, so everything left of that one was written by the
// client and is not believed: a client cannot choose its own address by
// sending the header, and behind the proxy clients are told apart rather
// than all sharing the proxy's address.
func ClientAddr(remoteAddr string, forwardedFor []string, trusted []netip.Prefix) string {
	peer, ok := parseAddr(remoteAddr)
	if !ok {
		return remoteAddr
	}
	if !inAny(peer, trusted) {
		return peer.String()
	}
	var hops []string
	for _, h := range forwardedFor {
		hops = append(hops, strings.Split(h, ",")...)
	}
	last := peer // the nearest hop a trusted proxy vouches for
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseAddr(strings.TrimSpace(hops[i]))
		if !ok {
			// Not what a proxy writes: stop at the hop that wrote it.
			return last.String()
		}
		if !inAny(a, trusted) {
			return a.String()
		}
		last = a
	}
	return last.String()
}

// LimitKey is the part of an address that limits count against: the
// address itself for IPv4, its /64 for IPv6, since one subscriber
// commonly holds a whole /64 and could otherwise take a fresh address for
// every attempt.
func LimitKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() {
		return addr
	}
	p, _ := a.Prefix(64)
	return p.String()
}

func parseAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
