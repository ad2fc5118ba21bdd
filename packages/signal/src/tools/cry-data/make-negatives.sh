#!/usr/bin/env bash
# Builds the negative (non-cry) clips for `npm run train:cry` under OUT (default /work/data/cry):
#   speech-fsdd/  real speech: Free Spoken Digit Dataset (CC BY-SA 4.0), utterances of one speaker
#                 joined into ~5 s clips (source = speaker)
#   env-antum/    real household/animal/outdoor sounds from AntumMT/game-antum mods/audio/sounds
#                 (each file CC0, CC BY or CC BY-SA per its sources.md; source = file)
#   gen-*/        sounds generated here with espeak-ng and sox (no licence restriction):
#                 speech in many languages (with and without a music bed, like TV), shouting,
#                 sung vowels, laughter and babbling pitch-shifted to the infant F0 range,
#                 household noise, music-like tones, near-silence.
# Everything is written as 8 kHz mono 16-bit WAV, the rate of the donateacry positives.
# Usage: make-negatives.sh <fsdd git dir> <game-antum git dir> [OUT]
# The two git dirs are snapshots of Jakobovski/free-spoken-digit-dataset and AntumMT/game-antum.
set -euo pipefail
FSDD_GIT=$1
ANTUM_GIT=$2
OUT=${3:-/work/data/cry}
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
to8k() { ffmpeg -loglevel error -y -i "$1" -ac 1 -ar 8000 -sample_fmt s16 "$2"; }

# --- real speech (FSDD): 8 utterances per clip, consecutive takes of one speaker ---
mkdir -p "$OUT/speech-fsdd"
git --git-dir="$FSDD_GIT" archive HEAD recordings | tar -x -C "$TMP"
for spk in $(ls "$TMP/recordings" | sed -E 's/^[0-9]+_([a-z]+)_[0-9]+\.wav$/\1/' | sort -u); do
  files=($(ls "$TMP/recordings" | grep "_${spk}_" | sort -t_ -k3,3n -k1,1n))
  for ((k = 0; k * 8 < ${#files[@]} && k < 40; k++)); do
    part=("${files[@]:k*8:8}")
    sox $(printf "$TMP/recordings/%s " "${part[@]}") -r 8000 -c 1 -b 16 "$OUT/speech-fsdd/${spk}__clip$(printf %02d $k).wav" 2>/dev/null
  done
done

# --- real environmental sounds (game-antum), permissive licences only ---
mkdir -p "$OUT/env-antum"
git --git-dir="$ANTUM_GIT" archive HEAD mods/audio/sounds | tar -x -C "$TMP"
for f in "$TMP"/mods/audio/sounds/sounds/*.ogg; do
  b=$(basename "$f" .ogg)
  to8k "$f" "$OUT/env-antum/${b}.wav"
done
cp "$TMP/mods/audio/sounds/sources.md" "$OUT/env-antum/SOURCES-game-antum.md"

# --- generated ---
SENT_en="The weather will be cloudy this afternoon with a chance of rain in the evening."
SENT_fr="Le vent du nord et le soleil se disputaient pour savoir lequel était le plus fort."
SENT_de="Der Nordwind und die Sonne stritten sich, wer von ihnen beiden wohl der Stärkere wäre."
SENT_es="El viento norte y el sol discutían sobre cuál de los dos era el más fuerte."
SENT_it="Il vento di tramontana e il sole si contendevano il primato della forza."
SENT_pt="O vento norte e o sol discutiam qual dos dois era o mais forte."
SENT_nl="De noordenwind en de zon hadden een discussie over wie de sterkste was."
SENT_pl="Północny wiatr i słońce kłóciły się, które z nich jest silniejsze."
SENT_ru="Северный ветер и солнце спорили, кто из них сильнее."
SENT_tr="Poyraz ile güneş hangisinin daha güçlü olduğu konusunda tartışıyorlardı."
SENT_hi="उत्तरी हवा और सूरज में बहस हो रही थी कि कौन ज़्यादा ताक़तवर है।"
SENT_sw="Upepo wa kaskazi na jua walikuwa wakibishana ni nani aliye na nguvu zaidi."
SENT_cmn="北风跟太阳在那儿争论谁的本事大。"
SENT_ja="きたかぜとたいようが、どちらがつよいかでいいあらそっていました。"
SENT_ar="كانت ريح الشمال والشمس تتجادلان أيهما أقوى من الأخرى."
SENT_hu="Az északi szél és a nap vitatkoztak, hogy melyikük az erősebb."
SENT_vi="Gió bấc và mặt trời tranh luận xem ai mạnh hơn."
SENT_id="Angin utara dan matahari berdebat tentang siapa yang lebih kuat."
LANGS="en fr de es it pt nl pl ru tr hi sw cmn ja ar hu vi id"
VARIANTS="m1 m3 m5 f1 f2 f4 klatt2"
mkdir -p "$OUT/gen-speech" "$OUT/gen-tv" "$OUT/gen-shout" "$OUT/gen-sing" "$OUT/gen-laugh" "$OUT/gen-babble" "$OUT/gen-noise" "$OUT/gen-music" "$OUT/gen-silence"
i=0
for lang in $LANGS; do
  var="SENT_$lang"
  for v in $VARIANTS; do
    i=$((i + 1))
    pitch=$((20 + (i * 37) % 70))
    speed=$((140 + (i * 23) % 60))
    espeak-ng -v "$lang+$v" -p $pitch -s $speed -w "$TMP/s.wav" "${!var}" 2>/dev/null || continue
    sox "$TMP/s.wav" -r 8000 -c 1 -b 16 "$OUT/gen-speech/${lang}_${v}.wav"
    # TV: speech over a chord bed and a little hiss
    if ((i % 2 == 0)); then
      d=$(soxi -D "$OUT/gen-speech/${lang}_${v}.wav")
      sox -n -r 8000 -c 1 -b 16 "$TMP/bed.wav" synth "$d" pluck $((110 + i % 5 * 20)) pluck $((165 + i % 3 * 30)) sine $((220 + i % 7 * 15)) pinknoise vol 0.08
      sox -m "$OUT/gen-speech/${lang}_${v}.wav" "$TMP/bed.wav" "$OUT/gen-tv/${lang}_${v}.wav"
    fi
  done
done
# shouting and calling: loud, fast, high-pitched adult voice
for lang in en fr de es it ru pt nl; do
  for v in m2 f3 m7 f5; do
    var="SENT_$lang"
    espeak-ng -v "$lang+$v" -p 95 -s 190 -a 200 -w "$TMP/s.wav" "${!var}" 2>/dev/null || continue
    sox "$TMP/s.wav" -r 8000 -c 1 -b 16 "$OUT/gen-shout/${lang}_${v}.wav" gain -n -1 overdrive 8
  done
done
# sung vowels: long syllables at set pitches with SSML
for v in m1 m3 f1 f2 f4 klatt; do
  for base in 150 220 330 440; do
    ssml="<speak>"
    for st in 0 2 4 5 7 9 7 5 4 2 0; do
      f=$(python3 -c "print(round($base*2**($st/12)))")
      ssml+="<prosody pitch=\"${f}Hz\" rate=\"x-slow\">laa</prosody> "
    done
    ssml+="</speak>"
    espeak-ng -m -v "en+$v" -w "$TMP/s.wav" "$ssml" 2>/dev/null || continue
    sox "$TMP/s.wav" -r 8000 -c 1 -b 16 "$OUT/gen-sing/${v}_${base}.wav"
  done
done
# laughter and babbling, pitch-shifted up into the infant F0 range (about 300-550 Hz)
LAUGHS=("ha ha ha ha ha" "he he he he" "hi hi hi hi hi hi" "ah ha ha haa" "hahaha hahaha" "hee hee hee" "ho ho ho" "haha. haha. hahaha")
BABBLE=("ba ba ba ba" "da da da" "ma ma ma ma" "ga ga goo goo" "ba da ba da" "mmm ba" "ah goo" "aba aba" "dada baba" "na na na")
k=0
for v in m1 f1 f2 f3 f4 klatt m3; do
  for shift in 500 800 1100; do
    k=$((k + 1))
    t=${LAUGHS[$((k % ${#LAUGHS[@]}))]}
    espeak-ng -v "en+$v" -p 80 -s $((160 + k % 5 * 20)) -w "$TMP/s.wav" "$t. $t" 2>/dev/null
    sox "$TMP/s.wav" -r 8000 -c 1 -b 16 "$OUT/gen-laugh/${v}_${shift}_$k.wav" pitch $shift tremolo 6 40
    t=${BABBLE[$((k % ${#BABBLE[@]}))]}
    espeak-ng -v "en+$v" -p 90 -s $((110 + k % 4 * 20)) -w "$TMP/s.wav" "$t, $t" 2>/dev/null
    sox "$TMP/s.wav" -r 8000 -c 1 -b 16 "$OUT/gen-babble/${v}_${shift}_$k.wav" pitch $shift
  done
done
# household noise: fan, vacuum, washing machine, running water, traffic rumble, hiss
n=0
for colour in whitenoise pinknoise brownnoise; do
  for band in "100 400" "300 1500" "800 3000" "50 3500"; do
    for mod in 0 1 2; do
      n=$((n + 1))
      set -- $band
      eff=(sinc "$1-$2")
      ((mod == 1)) && eff+=(tremolo 0.7 60)
      ((mod == 2)) && eff+=(tremolo 9 30)
      sox -n -r 8000 -c 1 -b 16 "$OUT/gen-noise/${colour}_${1}-${2}_m${mod}.wav" synth 6 $colour "${eff[@]}" vol 0.$((2 + n % 7))
    done
  done
done
# music-like tones: plucked and sine chords, arpeggios with vibrato
m=0
for root in 131 165 196 262 330 392 523; do
  for kind in pluck sine triangle; do
    m=$((m + 1))
    third=$(python3 -c "print(round($root*2**(4/12)))")
    fifth=$(python3 -c "print(round($root*2**(7/12)))")
    sox -n -r 8000 -c 1 -b 16 "$TMP/a.wav" synth 0.5 $kind $root synth 0.5 $kind $third 2>/dev/null || true
    sox -n -r 8000 -c 1 -b 16 "$OUT/gen-music/${kind}_${root}.wav" synth 6 $kind $root $kind $third $kind $fifth tremolo 2 20 vol 0.3
  done
done
# near-silence: quiet room tone at several levels
for lvl in 0.001 0.003 0.01 0.03; do
  for colour in pinknoise brownnoise; do
    sox -n -r 8000 -c 1 -b 16 "$OUT/gen-silence/${colour}_${lvl}.wav" synth 6 $colour vol $lvl
  done
done
echo "negatives in $OUT:"
for d in "$OUT"/*/; do echo "  $(basename "$d") $(ls "$d" | grep -c '\.wav$')"; done
