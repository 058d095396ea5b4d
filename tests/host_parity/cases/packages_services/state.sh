dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' tree cron less 2>&1 | sort
ls /etc/rc2.d | grep -c cron
service cron status >/dev/null 2>&1 && echo cron running || echo cron stopped
