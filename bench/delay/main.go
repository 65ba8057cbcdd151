// Command delay forwards TCP connections to another address, each byte
// arriving a fixed time after it was sent, both ways: a database on
// another host, for bench/load.sh on one machine (the kernel's netem is
// not always there).
//
// Usage: go run ./bench/delay -listen 127.0.0.1:15432 -to 127.0.0.1:5432 -delay 250us
// (a round trip then takes twice the delay more).
package main

import (
	"flag"
	"log"
	"net"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:15432", "address to listen on")
	to := flag.String("to", "127.0.0.1:5432", "address to forward to")
	delay := flag.Duration("delay", 250*time.Microsecond, "one-way delay")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			s, err := net.Dial("tcp", *to)
			if err != nil {
				log.Print(err)
				c.Close()
				return
			}
			go forward(s, c, *delay)
			forward(c, s, *delay)
		}()
	}
}

// chunk is bytes read, and when they may be written.
type chunk struct {
	b  []byte
	at time.Time
}

// forward copies from src to dst, each read written delay after it was
// read, in order; it closes both when either side ends.
func forward(dst, src net.Conn, delay time.Duration) {
	q := make(chan chunk, 4096)
	go func() {
		defer close(q)
		for {
			b := make([]byte, 64<<10)
			n, err := src.Read(b)
			if n > 0 {
				q <- chunk{b[:n], time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.b); err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
	for range q { // let the reader end
	}
}
