package batch

import (
	"slices"
	"testing"
)

func TestGather(t *testing.T) {
	q := make(chan int, 10)
	for i := 2; i <= 6; i++ {
		q <- i
	}
	if got := Gather(q, 1, 3); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("limit 3: %v", got)
	}
	if got := Gather(q, 1, 1); !slices.Equal(got, []int{1}) {
		t.Errorf("limit 1: %v", got)
	}
	if got := Gather(q, 1, 10); !slices.Equal(got, []int{1, 4, 5, 6}) {
		t.Errorf("the rest: %v", got)
	}
	if got := Gather(q, 7, 10); !slices.Equal(got, []int{7}) {
		t.Errorf("empty queue: %v", got)
	}
	q <- 8
	close(q)
	if got := Gather(q, 7, 10); !slices.Equal(got, []int{7, 8}) {
		t.Errorf("closed queue: %v", got)
	}
}
