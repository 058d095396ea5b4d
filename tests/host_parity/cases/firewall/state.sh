ufw status verbose
grep -E '^(### tuple|-A)' /etc/ufw/user.rules
