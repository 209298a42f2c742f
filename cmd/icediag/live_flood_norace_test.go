//go:build !race

package main

// floodRSSFactor scales floodRSSBound; 1 without the race detector.
const floodRSSFactor = 1
