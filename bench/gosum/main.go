// Command gosum is the bench's reference upstream: POST /api/v1/sum with Go's standard library
// and nothing else (no validation beyond decoding, no metrics, no logs). `make bench` puts it
// behind the same gateway as the service: gateway_vs_nginx_go.
//
//	gosum PORT    (listens on 127.0.0.1:PORT; GOMAXPROCS as Go's default: every CPU)
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strconv"
)

type operands struct {
	A *float64 `json:"a"`
	B *float64 `json:"b"`
}

func sum(w http.ResponseWriter, r *http.Request) {
	var in operands
	body := http.MaxBytesReader(w, r.Body, 16<<10)
	if err := json.NewDecoder(body).Decode(&in); err != nil || in.A == nil || in.B == nil {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"status":400,"detail":"send a JSON object such as {\"a\": 1, \"b\": 2}"}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"result":` + strconv.FormatFloat(*in.A+*in.B, 'g', -1, 64) + `}`))
}

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: gosum PORT")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/sum", sum)
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Args[1], mux))
}
