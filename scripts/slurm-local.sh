#!/usr/bin/env bash
# A single-node Slurm cluster on this machine (slurmctld, slurmd, munge on localhost) for the Slurm
# test: `start` installs and configures it from empty state and waits for the node to be idle;
# `stop` stops the daemons `start` started, by the pids it recorded. Needs root. Logs in /var/log/slurm/.
set -euo pipefail
PIDS=/run/latent-trace-slurm.pids
case "${1:-start}" in
start)
  export DEBIAN_FRONTEND=noninteractive
  command -v slurmctld >/dev/null || apt-get install -y -qq slurm-wlm munge >/dev/null
  # munge authenticates every Slurm message: one key shared by the daemons of this host
  [ -f /etc/munge/munge.key ] || mungekey --create
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge && chown munge:munge /run/munge
  : > "$PIDS"
  if ! pgrep -x munged >/dev/null; then su -s /bin/sh munge -c /usr/sbin/munged; pgrep -x munged >> "$PIDS"; fi
  host=$(hostname -s)
  # a throwaway cluster: empty state (slurmctld refuses state saved under another ClusterName)
  if ! pgrep -x slurmctld >/dev/null; then
    rm -rf /var/spool/slurmctld /var/spool/slurmd
    mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
    # no cgroups in a container: processes tracked by pid, no task affinity
    cat > /etc/slurm/slurm.conf <<CONF
ClusterName=latenttrace
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$(nproc) RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    /usr/sbin/slurmctld; sleep 1; pgrep -x slurmctld >> "$PIDS"
  fi
  if ! pgrep -x slurmd >/dev/null; then /usr/sbin/slurmd; sleep 1; pgrep -x slurmd >> "$PIDS"; fi
  for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -q idle && exit 0; sleep 1; done
  echo "slurm did not come up; see /var/log/slurm/" >&2; exit 1 ;;
stop)
  [ -f "$PIDS" ] || exit 0
  # slurmd, slurmctld, then munged: the reverse of start
  tac "$PIDS" | while read -r pid; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  rm -f "$PIDS" ;;
esac
