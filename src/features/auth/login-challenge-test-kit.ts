/** Test helper (not imported by the app): answers the THR-03 question as a person would read it. */
import { newLoginChallenge, type ChallengeAnswer } from './login-challenge.ts';

const NUMBERS = ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf', 'dix'];

/** « Combien font quatre plus sept ? » → '11'. */
export function answerOf(question: string): string {
  const match = /^Combien font (\S+) (plus|moins) (\S+) \?$/.exec(question);
  if (!match) throw new Error(`not a challenge question: ${question}`);
  const [x, y] = [NUMBERS.indexOf(match[1]!), NUMBERS.indexOf(match[3]!)];
  return String(match[2] === 'plus' ? x + y : x - y);
}

/** A fresh challenge for this IP, already answered right. */
export function solvedChallenge(secret: Buffer, ip: string, now: Date): ChallengeAnswer {
  const challenge = newLoginChallenge(secret, ip, now);
  return { token: challenge.token, answer: answerOf(challenge.question) };
}
