for f in /etc/app.conf /etc/new.conf; do stat -c '%n %a %U:%G %s' "$f"; cat "$f"; done
