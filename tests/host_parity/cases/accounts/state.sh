getent passwd devartis svc olduser
getent group appgroup sysgroup devartis
id devartis
stat -c '%n %a %U:%G' /home/devartis /home/olduser 2>&1
grep -E '^(devartis|svc):' /etc/shadow | cut -d: -f1,3-9 | sed 's/:[0-9]\{5\}:/:DAY:/'
