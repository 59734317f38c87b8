// Cycle model of the generated pipeline (see cycle_model.h).
#include "sim/cycle_model.h"

#include "core/error.h"

#include <algorithm>
#include <utility>

namespace rapidnn {

double CyclePrediction::interval() const {
  if (produced.size() < 2) return 0.0;
  return static_cast<double>(produced.back() - produced.front()) / static_cast<double>(produced.size() - 1);
}

CyclePrediction predict_cycles(const RtlPlan& plan, std::int64_t samples) {
  // rnn_pingpong: per bank the readers that have not released it; per reader the bank it reads.
  struct Buf {
    std::vector<std::uint8_t> pend[2];
    std::vector<int> rsel;
    int wsel = 0;
    explicit Buf(std::size_t readers) : pend{std::vector<std::uint8_t>(readers, 0), std::vector<std::uint8_t>(readers, 0)}, rsel(readers, 0) {}
    bool full(int b) const { return std::find(pend[b].begin(), pend[b].end(), 1) != pend[b].end(); }
    bool wr_ready() const { return !full(wsel); }
    bool rd_valid(int r) const { return pend[rsel[static_cast<std::size_t>(r)]][static_cast<std::size_t>(r)] != 0; }
  };
  enum State { Idle, Run, Done };
  struct St {
    State state = Idle;
    std::int64_t left = 0;
  };
  CyclePrediction p;
  p.accepted.resize(static_cast<std::size_t>(samples));
  p.produced.resize(static_cast<std::size_t>(samples));
  std::vector<Buf> bufs;
  for (const auto& b : plan.buffers) bufs.emplace_back(b.readers.size());
  std::vector<St> st(plan.stages.size());
  bool out_valid = false;
  std::int64_t fed = 0, k = 0, outputs = 0;
  const std::int64_t total = samples * plan.input_beats;
  const std::uint64_t limit = static_cast<std::uint64_t>(samples + 4) * static_cast<std::uint64_t>(plan.interval() + 16) *
                              static_cast<std::uint64_t>(plan.stages.size() + 2) + 1000;
  for (std::uint64_t c = 0; outputs < samples; ++c) {
    if (c > limit) fail("", "cycle model: the pipeline does not make progress (a planner bug)");
    std::vector<int> wr_done(bufs.size(), 0);
    std::vector<std::pair<std::size_t, int>> rd_done;  // (buffer, reader) released this cycle
    bool out_done = false;
    // Output side: always ready.
    const bool out_fire = out_valid;
    if (out_fire) p.produced[static_cast<std::size_t>(outputs++)] = c;
    // Input encoder: one beat (features_per_beat features) per cycle.
    if (fed < total && bufs[0].wr_ready()) {
      if (k == 0) p.accepted[static_cast<std::size_t>(fed / plan.input_beats)] = c;
      ++fed;
      if (++k == plan.input_beats) {
        k = 0;
        wr_done[0] = 1;
      }
    }
    // Stages.
    for (std::size_t s = 0; s < st.size(); ++s) {
      const RtlStage& t = plan.stages[s];
      St& m = st[s];
      const bool out_ready = t.output ? !out_valid : bufs[static_cast<std::size_t>(t.out_buffer)].wr_ready();
      const auto in = static_cast<std::size_t>(t.in_buffer);
      const auto sk = static_cast<std::size_t>(t.skip_buffer);
      const bool own_skip = t.skip_buffer >= 0 && (sk != in || t.skip_reader != t.in_reader);
      switch (m.state) {
        case Idle:
          if (bufs[in].rd_valid(t.in_reader) && (!own_skip || bufs[sk].rd_valid(t.skip_reader)) && out_ready) {
            m.state = Run;
            m.left = t.cycles - 2;
          }
          break;
        case Run:
          if (--m.left == 0) m.state = Done;
          break;
        case Done:
          rd_done.emplace_back(in, t.in_reader);
          if (own_skip) rd_done.emplace_back(sk, t.skip_reader);
          if (t.output) out_done = true;
          else wr_done[static_cast<std::size_t>(t.out_buffer)] = 1;
          m.state = Idle;
          break;
      }
    }
    // Clock edge.
    for (const auto& [b, r] : rd_done) {
      int& sel = bufs[b].rsel[static_cast<std::size_t>(r)];
      bufs[b].pend[sel][static_cast<std::size_t>(r)] = 0;
      sel ^= 1;
    }
    for (std::size_t b = 0; b < bufs.size(); ++b)
      if (wr_done[b]) {
        std::fill(bufs[b].pend[bufs[b].wsel].begin(), bufs[b].pend[bufs[b].wsel].end(), 1);
        bufs[b].wsel ^= 1;
      }
    if (out_done) out_valid = true;
    else if (out_fire) out_valid = false;
    p.cycles = c + 1;
  }
  return p;
}

}  // namespace rapidnn
