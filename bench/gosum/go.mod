module sumapi.local/bench/gosum

go 1.22
