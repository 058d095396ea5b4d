for d in /srv/app /srv/main; do echo "$d $(git -C $d rev-parse HEAD) $(cat $d/f)"; git -C "$d" status --porcelain; done
