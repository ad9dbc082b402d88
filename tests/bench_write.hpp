#pragma once

// The write-path benchmark's measuring half, shared by its two files:
// bench_write.cpp (HTTP clients, main) and bench_kafka.cpp (raw librdkafka
// clients, the yardsticks).

#include <chrono>
#include <string>
#include <vector>

namespace logbase::bench {

using clock_type = std::chrono::steady_clock;

double micros(clock_type::duration d);

/// One line: `what n=… p50_us=… p99_us=… max_us=…`.
void print_percentiles(const char* what, std::vector<double> us);

int raw_latency(const std::string& bootstrap, const std::string& topic, int n);
int raw_throughput(const std::string& bootstrap, const std::string& topic,
                   int n);
int raw_clients(const std::string& bootstrap, const std::string& topic, int n,
                int clients, bool read_back);
int raw_consume(const std::string& bootstrap, const std::string& topic);

} // namespace logbase::bench
