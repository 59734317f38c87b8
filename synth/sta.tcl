# rapidnn synth: OpenSTA on the mapped netlist. The clock is deliberately slow (@PERIOD@ ns) so the
# slack gives the critical path: critical = period - slack, Fmax = 1 / critical. Inputs arrive
# and outputs leave at the clock edge, so purely combinational blocks are timed too.
# The clock is virtual for combinational blocks (no clk_i).
read_liberty @LIBERTY@
read_verilog @OUT@/netlist.v
link_design @TOP@
create_clock -name clk -period @PERIOD@ [get_ports -quiet clk_i]
set ins [all_inputs]
set clk [get_ports -quiet clk_i]
if {[llength $clk] > 0} { set ins [delete_from_list $ins $clk] }
set_input_delay 0 -clock clk $ins
set_output_delay 0 -clock clk [all_outputs]
report_checks -path_delay max -group_count 1 -format end
# Vectorless power at the @PERIOD@ ns clock: every input toggles with probability @ACTIVITY@ per cycle (a model of
# activity, not a simulation). Energy per cycle = total power x period.
set_power_activity -input -activity @ACTIVITY@
# A flattened tile's constant cell pins come in through the ports rnn_tie0/rnn_tie1 (synth_netlist.h):
# they never toggle.
foreach tie {rnn_tie0 rnn_tie1} {
  set t [get_ports -quiet $tie]
  if {[llength $t] > 0} { set_power_activity -input_ports $t -activity 0 }
}
report_power -digits 6
exit
