# The chart of bench/run.sh: ansible-playbook's median time divided by provision's, per scenario, default and
# tuned ansible-playbook side by side, log scale, with the goals of issue 7 (50x and 30x) as lines.
#   gnuplot -e "datafile='ratios.dat'; outfile='out.png'" bench/lib/plot.gp
# Bar positions: 2 bars per cluster with gap 1, so each bar is 1/3 wide and centred 1/6 off its cluster's middle.
# datafile rows: "label" default-ratio tuned-ratio ("-" where a runner did not run).
set terminal pngcairo size 1200,650 font "sans,11"
set output outfile
set datafile separator "\t"
set datafile missing "-"
set title "provision vs ansible-playbook: how many times longer ansible-playbook takes (median wall time)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [0.5:*]
set ylabel "ansible-playbook time / provision time (log scale)"
set grid ytics
set key outside bottom center horizontal
set xtics nomirror
# Room on the left for the goal labels.
set xrange [-1.4:*]
set arrow 1 from graph 0, first 50 to graph 1, first 50 nohead lw 2 dt 2 lc rgb "#c00000" front
set arrow 2 from graph 0, first 30 to graph 1, first 30 nohead lw 2 dt 3 lc rgb "#e07000" front
set label 1 "goal 50x\n(default)" left at first -1.35, first 68 tc rgb "#c00000" front
set label 2 "goal 30x\n(tuned)" left at first -1.35, first 24 tc rgb "#e07000" front
plot datafile using 2:xtic(1) title "ansible-playbook (default)" lc rgb "#4472c4", \
     '' using 3 title "ansible-playbook (pipelining + ControlPersist)" lc rgb "#70ad47", \
     '' using ($0 - 1.0/6):2:(sprintf($2 < 10 ? "%.1fx" : "%.0fx", $2)) with labels offset 0,0.8 notitle, \
     '' using ($0 + 1.0/6):3:(sprintf($3 < 10 ? "%.1fx" : "%.0fx", $3)) with labels offset 0,0.8 notitle
