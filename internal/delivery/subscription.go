package delivery

import (
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"strings"

	"github.com/truce-monitor/truce/internal/store"
)

// Channels lists the channels.
var Channels = []string{store.ChannelEmail, store.ChannelWebhook, store.ChannelAtom}

// CheckAddress checks a subscription's address for its channel and
// returns it as kept: an e-mail address alone (a display name dropped); a
// webhook URL over https (plain http only to the node's own loopback
// address, for a receiver beside it); none for an Atom feed.
func CheckAddress(channel, address string) (string, error) {
	address = strings.TrimSpace(address)
	switch channel {
	case store.ChannelEmail:
		a, err := mail.ParseAddress(address)
		if err != nil || strings.ContainsAny(a.Address, "\r\n") {
			return "", fmt.Errorf("e-mail: %q is not an e-mail address", address)
		}
		return a.Address, nil
	case store.ChannelWebhook:
		u, err := url.Parse(address)
		if err != nil || u.Host == "" || u.Opaque != "" || len(address) > 2000 {
			return "", fmt.Errorf("webhook: %q is not an http(s) URL", address)
		}
		switch {
		case u.Scheme == "https":
		case u.Scheme == "http" && loopbackHost(u.Hostname()):
		case u.Scheme == "http":
			return "", fmt.Errorf("webhook: %q: messages may hold protected records: the URL must be https (plain http only to a receiver on this node's loopback address)", address)
		default:
			return "", fmt.Errorf("webhook: %q is not an http(s) URL", address)
		}
		u.Fragment = ""
		return u.String(), nil
	case store.ChannelAtom:
		if address != "" {
			return "", fmt.Errorf("atom: a feed has no address: it is read at the URL given when subscribing")
		}
		return "", nil
	}
	return "", fmt.Errorf("channel %q is not one of %v", channel, Channels)
}

func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}
